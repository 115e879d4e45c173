from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0004_division_code'), ('meetings', '0005_sittings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MinutesVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='minutes_versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('status', fields.CharField(default='draft', max_length=16)),
                ('source', fields.CharField(default='generated', max_length=16)),
                ('path', fields.CharField(max_length=300)),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('note', fields.CharField(default='', max_length=1000)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reviewed_by_id', fields.IntField(null=True)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by_id', fields.IntField(null=True)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('secretary_signed_by_id', fields.IntField(null=True)),
                ('secretary_signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('chair_signed_by_id', fields.IntField(null=True)),
                ('chair_signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_by_id', fields.IntField(null=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_minutes_version', 'app': 'meetings', 'unique_together': (('session', 'number'),), 'pk_attr': 'id', 'table_description': "One version of a session's minutes (biên bản): its PDF, who made it, each workflow step."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Session',
            name='closed_sitting',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
