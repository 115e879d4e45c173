from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0001_initial'), ('council', '0002_search_outbox'), ('meetings', '0002_session_seats')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Session',
            name='minutes_number',
            field=fields.IntField(null=True),
        ),
    ]
