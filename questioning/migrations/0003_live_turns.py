from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('questioning', '0002_selection_ballot')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GroupConclusion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.OneToOneField('questioning.QuestionGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='conclusion', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('concluded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'questioning_conclusion', 'app': 'questioning', 'pk_attr': 'id', 'table_description': "The chair's conclusion of a question group at the sitting."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuestionTurn',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_id', fields.IntField(db_index=True)),
                ('form', fields.ForeignKeyField('questioning.QuestionForm', source_field='form_id', db_constraint=True, to_field='id', related_name='turns', on_delete=OnDelete.CASCADE)),
                ('phase', fields.CharField(max_length=10)),
                ('speaker', fields.CharField(max_length=300)),
                ('limit_seconds', fields.IntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'questioning_turn', 'app': 'questioning', 'pk_attr': 'id', 'table_description': 'One turn of the live questioning: the delegate asks, the official answers, a follow-up'},
            bases=['Model'],
        ),
    ]
