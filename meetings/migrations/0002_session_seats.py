from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0002_search_outbox'), ('meetings', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Session',
            name='quorum_count',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Session',
            name='seats',
            field=fields.IntField(null=True),
        ),
    ]
