from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CachedSummary',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('document_id', fields.IntField(db_index=True)),
                ('provider', fields.CharField(max_length=32)),
                ('model', fields.CharField(max_length=200)),
                ('prompt_version', fields.CharField(max_length=32)),
                ('value', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'assistant_summary', 'app': 'assistant', 'pk_attr': 'id', 'table_description': 'A document summary, keyed by content hash, provider, model and prompt version.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IndexedDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document_id', fields.IntField(unique=True)),
                ('session_id', fields.IntField(db_index=True)),
                ('content_hash', fields.CharField(max_length=64)),
                ('confidentiality', fields.CharField(max_length=16)),
                ('title', fields.CharField(max_length=300)),
                ('pages', fields.IntField(default=0)),
                ('indexed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'assistant_indexed_document', 'app': 'assistant', 'pk_attr': 'id', 'table_description': 'Which version of a document the retrieval index holds (by content hash).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsageEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='assistant_uses', on_delete=OnDelete.SET_NULL)),
                ('council_id', fields.IntField(null=True, db_index=True)),
                ('action', fields.CharField(db_index=True, max_length=32)),
                ('documents', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('pages_sent', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('provider', fields.CharField(max_length=32)),
                ('model', fields.CharField(max_length=200)),
                ('downgraded', fields.BooleanField(default=False)),
                ('cached', fields.BooleanField(default=False)),
                ('calls', fields.IntField(default=0)),
                ('prompt_tokens', fields.IntField(default=0)),
                ('completion_tokens', fields.IntField(default=0)),
                ('latency_ms', fields.IntField(default=0)),
                ('outcome', fields.CharField(default='ok', max_length=32)),
            ],
            options={'table': 'assistant_usage', 'app': 'assistant', 'pk_attr': 'id', 'table_description': 'One use of the assistant: who, what, which documents, which model, what it cost.'},
            bases=['Model'],
        ),
    ]
