from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('questioning', '0004_turn_speaker_item')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Round',
            name='asking_seconds',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Round',
            name='answering_seconds',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Round',
            name='followup_seconds',
            field=fields.IntField(null=True),
        ),
    ]
