from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0004_division_code'), ('elections', '0002_contact_meetings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SeatsReading',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.OneToOneField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='seats_reading', on_delete=OnDelete.CASCADE)),
                ('reading', fields.CharField(default='in_office', max_length=12)),
                ('updated_by', fields.ForeignKeyField('council.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='seats_readings_set', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'elections_seats_reading', 'app': 'elections', 'pk_attr': 'id', 'table_description': 'How a council reads "tổng số đại biểu" for thresholds and quorum: the delegates in office'},
            bases=['Model'],
        ),
    ]
