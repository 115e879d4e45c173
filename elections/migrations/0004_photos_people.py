from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0004_division_code'), ('elections', '0003_seats_reading')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DelegatePhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='delegate_photo', on_delete=OnDelete.CASCADE)),
                ('path', fields.CharField(max_length=300)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('size', fields.IntField()),
                ('updated_by', fields.ForeignKeyField('council.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='delegate_photos_set', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'elections_delegate_photo', 'app': 'elections', 'pk_attr': 'id', 'table_description': "A delegate's photo on the public pages, resized once when the secretariat uploads it (the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('full_name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'elections_person', 'app': 'elections', 'pk_attr': 'id', 'table_description': "One person with seats in several councils (a city's and a ward's): an account in each"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('elections.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('user', fields.OneToOneField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='person_account', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'elections_person_account', 'app': 'elections', 'pk_attr': 'id', 'table_description': 'An account of a person (one per council).'},
            bases=['Model'],
        ),
    ]
