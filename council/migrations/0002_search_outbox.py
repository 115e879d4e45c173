from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SearchOutbox',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('index_name', fields.CharField(db_index=True, max_length=40)),
                ('doc_id', fields.CharField(max_length=200)),
                ('op', fields.CharField(max_length=8)),
                ('payload', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'search_outbox', 'app': 'council', 'pk_attr': 'id', 'table_description': 'One pending change to a search index.'},
            bases=['Model'],
        ),
    ]
