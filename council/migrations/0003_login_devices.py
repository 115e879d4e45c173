from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0002_search_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginDevice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.CASCADE)),
                ('device_key', fields.CharField(max_length=32)),
                ('unlocked_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_device', 'app': 'council', 'unique_together': (('user', 'device_key'),), 'pk_attr': 'id', 'table_description': 'A browser known to an account: it logged in before, or the secretariat unlocked it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='guess_alert_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
