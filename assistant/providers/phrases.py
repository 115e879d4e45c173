"""Fixed sentences a provider says itself (the offline one word for word; models are told to).
Here, below the prompts, so that the providers need not import the prompts that import them."""

# Said, word for word, when the documents do not answer a question (by the model, the
# extractive provider, or the service when retrieval finds nothing and no model is called).
NOT_FOUND = "Tài liệu của kỳ họp không đề cập nội dung này."
EXTRACTIVE_ANSWER_LEAD = "Các câu liên quan nhất trong tài liệu:"
# Said by the offline summarizer when a document holds only its frame (header, legal bases,
# distribution list, signature): nothing a summary may quote.
NO_CONTENT = (
    "Tài liệu chỉ gồm phần thể thức (tiêu đề, căn cứ pháp lý, nơi nhận, chữ ký), "
    "không có nội dung để tóm tắt."
)
