from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0007_signing_sessions'), ('meetings', '0006_minutes_versions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Resolution',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='resolutions', on_delete=OnDelete.RESTRICT)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='resolutions', on_delete=OnDelete.RESTRICT)),
                ('item_id', fields.IntField(unique=True)),
                ('poll_id', fields.IntField()),
                ('year', fields.IntField()),
                ('number', fields.IntField()),
                ('symbol', fields.CharField(default='NQ-HĐND', max_length=32)),
                ('title', fields.CharField(max_length=300)),
                ('text', fields.TextField(default='', unique=False)),
                ('vote_line', fields.TextField(default='', unique=False)),
                ('passed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='draft', db_index=True, max_length=16)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('issued_by_id', fields.IntField(null=True)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signed_by_id', fields.IntField(null=True)),
                ('signer_name', fields.CharField(default='', max_length=200)),
                ('signed_path', fields.CharField(null=True, max_length=300)),
                ('signed_sha256', fields.CharField(default='', max_length=64)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'meetings_resolution', 'app': 'meetings', 'unique_together': (('council', 'year', 'number'),), 'pk_attr': 'id', 'table_description': 'A resolution issued from a passed draft-resolution item: "Số: 12/NQ-HĐND".'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ResolutionSeries',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='resolution_series', on_delete=OnDelete.RESTRICT)),
                ('year', fields.IntField()),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'meetings_resolution_series', 'app': 'meetings', 'unique_together': (('council', 'year'),), 'pk_attr': 'id', 'table_description': 'The last number a council gave a resolution in a year: numbers only ever go up.'},
            bases=['Model'],
        ),
    ]
