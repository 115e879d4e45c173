from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('questioning', '0003_live_turns')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QuestionTurn',
            name='speaker_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='QuestionTurn',
            name='item_id',
            field=fields.IntField(null=True, db_index=True),
        ),
    ]
