from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0003_login_devices')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Council',
            name='division_code',
            field=fields.CharField(null=True, unique=True, max_length=8),
        ),
    ]
