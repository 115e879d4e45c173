from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0004_division_code')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='title',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
    ]
