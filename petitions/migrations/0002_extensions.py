from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0002_search_outbox'), ('petitions', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Extension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('petition', fields.ForeignKeyField('petitions.Petition', source_field='petition_id', db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.CASCADE)),
                ('hop', fields.ForeignKeyField('petitions.Hop', source_field='hop_id', db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('due_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_to', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('requested_by', fields.ForeignKeyField('council.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='petition_extensions', on_delete=OnDelete.SET_NULL)),
                ('requested_by_label', fields.CharField(default='', max_length=200)),
                ('decided_by', fields.ForeignKeyField('council.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='petition_extension_decisions', on_delete=OnDelete.SET_NULL)),
                ('decided_by_label', fields.CharField(default='', max_length=200)),
                ('decision_note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'petition_extension', 'app': 'petitions', 'pk_attr': 'id', 'table_description': "A hop owner's request to move its due date, and the secretariat's decision on it."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Hop',
            name='original_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
