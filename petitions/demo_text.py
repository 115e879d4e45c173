# ruff: noqa: E501 - long Vietnamese sentences read better unbroken
"""Realistic Vietnamese petition texts for the demo data set (deterministic for a given seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass

ROADS = [
    "đường Nguyễn Văn Cừ",
    "phố Hàng Bột",
    "đường Láng",
    "đường Giải Phóng",
    "ngõ 58 phố Trần Bình",
    "đường liên xã Phù Linh – Tân Minh",
    "đường Âu Cơ",
    "phố Kim Mã",
    "đường Tam Trinh",
    "ngõ 175 phố Xuân Thủy",
    "đường tỉnh lộ 35",
    "đường Lê Văn Lương",
    "phố Thái Hà",
    "đường trục thôn Đông",
    "ngõ 36 đường Phạm Văn Đồng",
    "đường Nguyễn Trãi",
]
PLACES = [
    "tổ dân phố số 5",
    "thôn Đông",
    "thôn Hậu",
    "khu tập thể Kim Liên",
    "tổ dân phố số 12",
    "thôn Thượng",
    "khu đô thị mới Văn Quán",
    "thôn Trung",
    "cụm dân cư số 3",
    "xóm Bãi",
    "khu tái định cư Đồng Tàu",
    "thôn Xuân Lai",
]
SCHOOLS = [
    "Trường Tiểu học Đoàn Thị Điểm",
    "Trường Mầm non Hoa Sữa",
    "Trường THCS Nguyễn Du",
    "Trường Tiểu học Kim Đồng",
    "Trường Mầm non Sơn Ca",
]
CHANNELS = ["online"] * 5 + ["voter_meeting"] * 4 + ["direct"] * 2 + ["mail", "assisted"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Thanh", "Hữu", "Ngọc"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Tuấn",
    "Yến",
]

# (category, title, body, answer) with {road}, {place}, {school}, {n} slots.
TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "transport",
        "Đề nghị sửa chữa mặt {road} bị hư hỏng",
        "Mặt {road} đoạn qua {place} bị bong tróc, nhiều ổ gà sâu, trời mưa đọng nước gây mất an "
        "toàn giao thông, đã có {n} vụ ngã xe trong tháng. Cử tri đề nghị sớm sửa chữa.",
        "Đơn vị quản lý đường bộ đã khảo sát, đưa đoạn đường vào kế hoạch duy tu, sửa chữa trong quý tới.",
    ),
    (
        "transport",
        "Đề nghị lắp đặt đèn tín hiệu giao thông tại nút giao {road}",
        "Nút giao {road} với đường vào {place} chưa có đèn tín hiệu, giờ cao điểm ùn tắc kéo dài, học "
        "sinh qua đường rất nguy hiểm. Đề nghị lắp đèn tín hiệu và kẻ vạch sang đường.",
        "Đã phối hợp với cơ quan cảnh sát giao thông khảo sát; dự kiến lắp đặt đèn tín hiệu trong năm nay.",
    ),
    (
        "transport",
        "Đề nghị bổ sung tuyến xe buýt qua {place}",
        "Khu vực {place} có khoảng {n}00 hộ dân nhưng chưa có tuyến xe buýt nào đi qua, người cao tuổi và "
        "học sinh đi lại khó khăn. Cử tri đề nghị nghiên cứu mở tuyến hoặc điều chỉnh lộ trình.",
        "Trung tâm quản lý giao thông công cộng đang nghiên cứu điều chỉnh lộ trình tuyến buýt gần nhất.",
    ),
    (
        "environment",
        "Rác thải tồn đọng nhiều ngày tại {place}",
        "Điểm tập kết rác tại {place} thường xuyên tồn đọng {n} ngày mới được thu gom, bốc mùi hôi thối, "
        "ảnh hưởng sức khỏe người dân. Đề nghị tăng tần suất thu gom.",
        "Đơn vị vệ sinh môi trường đã tăng tần suất thu gom lên hằng ngày và di dời điểm tập kết.",
    ),
    (
        "environment",
        "Ngập úng kéo dài sau mưa tại {road}",
        "Mỗi khi mưa lớn, {road} đoạn qua {place} ngập sâu 30–50 cm trong nhiều giờ do hệ thống thoát "
        "nước xuống cấp. Đề nghị cải tạo, nạo vét cống thoát nước.",
        "Đã nạo vét tuyến cống; dự án cải tạo hệ thống thoát nước khu vực được bố trí vốn năm sau.",
    ),
    (
        "environment",
        "Ô nhiễm khói bụi từ cơ sở sản xuất gần {place}",
        "Cơ sở sản xuất gần {place} xả khói bụi và nước thải chưa qua xử lý ra kênh, người dân lo ngại "
        "ảnh hưởng sức khỏe. Đề nghị kiểm tra, xử lý nghiêm.",
        "Đoàn kiểm tra đã lập biên bản, xử phạt vi phạm hành chính và yêu cầu cơ sở lắp hệ thống xử lý.",
    ),
    (
        "environment",
        "Đề nghị trồng bổ sung cây xanh trên {road}",
        "Nhiều cây xanh trên {road} bị đổ sau mưa bão chưa được trồng lại, vỉa hè nắng nóng. Đề nghị "
        "trồng bổ sung cây bóng mát.",
        "Công ty công viên cây xanh sẽ trồng bổ sung {n}0 cây trong đợt trồng cây mùa xuân.",
    ),
    (
        "land",
        "Chậm cấp giấy chứng nhận quyền sử dụng đất cho hộ dân {place}",
        "Nhiều hộ dân tại {place} đã nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ {n} năm trước "
        "nhưng đến nay chưa được cấp. Đề nghị đẩy nhanh tiến độ.",
        "Văn phòng đăng ký đất đai đã rà soát, hoàn thiện hồ sơ; dự kiến cấp giấy trong quý tới.",
    ),
    (
        "land",
        "Bồi thường giải phóng mặt bằng dự án mở rộng {road}",
        "Các hộ dân bị thu hồi đất để mở rộng {road} chưa đồng thuận với đơn giá bồi thường, đề nghị "
        "xem xét lại giá đất và bố trí tái định cư tại chỗ.",
        "Hội đồng bồi thường đã đối thoại với các hộ dân; phương án giá được điều chỉnh theo bảng giá mới.",
    ),
    (
        "land",
        "Lấn chiếm đất công tại {place}",
        "Một số hộ lấn chiếm đất công, đất hành lang kênh mương tại {place} để xây dựng công trình trái "
        "phép. Đề nghị kiểm tra, xử lý dứt điểm.",
        "Ủy ban nhân dân đã kiểm tra, yêu cầu các hộ tự tháo dỡ; trường hợp không chấp hành sẽ cưỡng chế.",
    ),
    (
        "construction",
        "Xây dựng sai phép tại {place}",
        "Công trình nhà ở tại {place} xây vượt số tầng được cấp phép, lấn ra vỉa hè, ảnh hưởng nhà liền "
        "kề. Đề nghị kiểm tra, xử lý.",
        "Đội thanh tra xây dựng đã đình chỉ thi công và xử phạt; chủ đầu tư đang tháo dỡ phần sai phép.",
    ),
    (
        "urban",
        "Vỉa hè {road} bị chiếm dụng làm nơi kinh doanh",
        "Vỉa hè {road} bị các hộ kinh doanh chiếm dụng để bày hàng, trông giữ xe, người đi bộ phải đi "
        "xuống lòng đường. Đề nghị lập lại trật tự đô thị.",
        "Lực lượng trật tự đô thị đã ra quân, duy trì kiểm tra thường xuyên tuyến phố.",
    ),
    (
        "water_power",
        "Thiếu nước sạch sinh hoạt tại {place}",
        "Khu vực {place} thường xuyên mất nước hoặc nước yếu vào mùa hè, có thời điểm mất nước {n} ngày "
        "liền. Đề nghị có giải pháp cấp nước ổn định.",
        "Công ty cấp nước đã lắp trạm tăng áp; nguồn nước khu vực được cải thiện từ tháng này.",
    ),
    (
        "water_power",
        "Đề nghị lắp đặt đèn chiếu sáng {road}",
        "Tuyến {road} đoạn qua {place} không có đèn chiếu sáng, buổi tối tối tăm, mất an ninh trật tự. "
        "Đề nghị lắp đèn chiếu sáng công cộng.",
        "Đã lắp đặt {n}0 bộ đèn chiếu sáng; công trình đã đưa vào sử dụng.",
    ),
    (
        "education",
        "Sĩ số lớp học quá đông tại {school}",
        "{school} có sĩ số trung bình trên 50 học sinh mỗi lớp, thiếu phòng học. Đề nghị đầu tư xây "
        "thêm phòng học, sớm xây trường mới cho khu vực {place}.",
        "Dự án xây mới {n} phòng học đã được phê duyệt chủ trương đầu tư, khởi công trong năm học tới.",
    ),
    (
        "education",
        "Đề nghị giải quyết thiếu chỗ học mầm non công lập tại {place}",
        "Nhiều trẻ trong độ tuổi mầm non tại {place} không có chỗ học trường công lập, gia đình phải gửi "
        "trẻ ở nhóm trẻ tư thục chi phí cao. Đề nghị mở rộng trường mầm non.",
        "Đang triển khai mở rộng trường mầm non, tăng thêm chỉ tiêu tuyển sinh năm học tới.",
    ),
    (
        "health",
        "Trạm y tế xã thiếu thuốc bảo hiểm y tế",
        "Cử tri phản ánh trạm y tế thường xuyên thiếu thuốc điều trị bệnh mạn tính theo bảo hiểm y tế, "
        "người bệnh phải mua ngoài. Đề nghị bảo đảm cung ứng thuốc.",
        "Đã bổ sung danh mục và số lượng thuốc; trạm y tế được cấp đủ thuốc điều trị bệnh mạn tính.",
    ),
    (
        "health",
        "Đề nghị kiểm tra an toàn thực phẩm tại chợ {place}",
        "Chợ {place} bày bán nhiều thực phẩm không rõ nguồn gốc, không bảo đảm vệ sinh. Đề nghị tăng "
        "cường kiểm tra an toàn thực phẩm.",
        "Đoàn liên ngành đã kiểm tra, tiêu hủy hàng không rõ nguồn gốc và xử phạt {n} trường hợp.",
    ),
    (
        "social",
        "Chậm chi trả chế độ cho người có công tại {place}",
        "Một số gia đình người có công với cách mạng tại {place} nhận trợ cấp chậm {n} tháng. Đề nghị "
        "kiểm tra, chi trả kịp thời.",
        "Đã chi trả đủ khoản trợ cấp còn chậm và chuyển sang chi trả qua tài khoản hằng tháng.",
    ),
    (
        "social",
        "Xem xét lại danh sách hộ nghèo năm nay",
        "Cử tri {place} cho rằng việc bình xét hộ nghèo chưa công khai, một số hộ khó khăn thực sự không "
        "có tên. Đề nghị rà soát lại.",
        "Ủy ban nhân dân đã tổ chức rà soát, bổ sung {n} hộ vào danh sách và niêm yết công khai.",
    ),
    (
        "security",
        "Tình trạng trộm cắp tài sản tại {place}",
        "Thời gian gần đây tại {place} liên tiếp xảy ra trộm cắp xe máy, tài sản của người dân. Đề nghị "
        "tăng cường tuần tra, lắp camera an ninh.",
        "Công an đã tăng cường tuần tra ban đêm và phối hợp lắp {n} camera tại các ngõ.",
    ),
    (
        "security",
        "Đua xe trái phép trên {road} vào ban đêm",
        "Nhóm thanh thiếu niên thường tụ tập đua xe trên {road} sau 23 giờ, gây mất an ninh và nguy hiểm. "
        "Đề nghị xử lý dứt điểm.",
        "Công an đã lập chốt, xử lý các nhóm đua xe; tình trạng đã giảm rõ rệt.",
    ),
    (
        "administration",
        "Thủ tục hành chính tại Trung tâm phục vụ hành chính công còn chậm",
        "Người dân {place} phản ánh hồ sơ chứng thực, đăng ký hộ tịch phải chờ lâu, một số cán bộ "
        "hướng dẫn chưa tận tình. Đề nghị cải thiện.",
        "Đã bổ sung quầy tiếp nhận, triển khai lấy số trực tuyến và chấn chỉnh thái độ phục vụ.",
    ),
    (
        "administration",
        "Đề nghị hỗ trợ người cao tuổi sử dụng dịch vụ công trực tuyến",
        "Nhiều người cao tuổi tại {place} không biết sử dụng dịch vụ công trực tuyến và định danh điện tử. "
        "Đề nghị bố trí cán bộ hướng dẫn tại khu dân cư.",
        "Tổ công nghệ số cộng đồng đã hướng dẫn tại {n} khu dân cư và tiếp tục duy trì hằng tuần.",
    ),
    (
        "economy",
        "Chợ dân sinh {place} xuống cấp",
        "Chợ dân sinh {place} mái dột, nền ngập nước, nguy cơ cháy nổ. Đề nghị đầu tư cải tạo chợ.",
        "Chợ đã được đưa vào danh mục cải tạo; thiết kế đang được lập.",
    ),
    (
        "agriculture",
        "Hỗ trợ nông dân tiêu thụ nông sản",
        "Vụ thu hoạch năm nay giá nông sản giảm mạnh, nông dân {place} khó tiêu thụ. Đề nghị hỗ trợ kết "
        "nối tiêu thụ và xây dựng chuỗi liên kết.",
        "Đã tổ chức {n} phiên kết nối cung cầu và đưa sản phẩm lên sàn thương mại điện tử.",
    ),
    (
        "agriculture",
        "Kênh mương nội đồng {place} bồi lắng",
        "Hệ thống kênh mương nội đồng tại {place} bị bồi lắng, không đủ nước tưới cho vụ xuân. Đề nghị "
        "nạo vét, kiên cố hóa kênh mương.",
        "Đã nạo vét {n} km kênh mương và bố trí kinh phí kiên cố hóa năm sau.",
    ),
    (
        "culture",
        "Nhà văn hóa {place} xuống cấp",
        "Nhà văn hóa {place} xây dựng đã lâu, tường nứt, mái dột, không bảo đảm an toàn cho sinh hoạt "
        "cộng đồng. Đề nghị sửa chữa.",
        "Đã bố trí kinh phí sửa chữa nhà văn hóa; công trình hoàn thành trong quý tới.",
    ),
    (
        "culture",
        "Thiếu sân chơi cho thiếu nhi tại {place}",
        "Khu dân cư {place} không có sân chơi, trẻ em phải chơi dưới lòng đường. Đề nghị dành quỹ đất "
        "xây dựng sân chơi, sân thể thao.",
        "Đã quy hoạch khu đất công để xây dựng sân chơi; dự kiến hoàn thành cuối năm.",
    ),
    (
        "other",
        "Đề nghị công khai kết quả giải quyết kiến nghị kỳ trước",
        "Cử tri {place} đề nghị công khai kết quả giải quyết các kiến nghị đã gửi ở các kỳ tiếp xúc trước "
        "để người dân theo dõi.",
        "Kết quả giải quyết kiến nghị được công khai trên cổng thông tin và niêm yết tại trụ sở.",
    ),
]


@dataclass
class DemoText:
    category: str
    title: str
    body: str
    answer: str
    channel: str
    name: str
    phone: str
    email: str | None
    address: str


def make(rng: random.Random) -> DemoText:
    """One varied petition; the same RNG state always gives the same text."""
    category, title, body, answer = rng.choice(TEMPLATES)
    slots = {
        "road": rng.choice(ROADS),
        "place": rng.choice(PLACES),
        "school": rng.choice(SCHOOLS),
        "n": rng.randint(2, 9),
    }
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    email = None
    if rng.random() < 0.4:
        email = f"cutri{rng.randint(100, 999)}@example.vn"
    return DemoText(
        category=category,
        title=title.format(**slots),
        body=body.format(**slots),
        answer=answer.format(**slots),
        channel=rng.choice(CHANNELS),
        name=name,
        phone=f"09{rng.randint(10000000, 99999999)}",
        email=email,
        address=f"Số {rng.randint(1, 200)}, {rng.choice(PLACES)}",
    )
