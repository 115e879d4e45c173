from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('questioning', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SelectionBallot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('questioning.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('max_choices', fields.IntField()),
                ('status', fields.CharField(default='open', max_length=8)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opened_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'questioning_ballot', 'app': 'questioning', 'pk_attr': 'id', 'table_description': "Chọn nhóm vấn đề: the council's delegates pick up to ``max_choices`` groups, outside a"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SelectionVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('questioning.SelectionBallot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='selection_votes', on_delete=OnDelete.RESTRICT)),
                ('group_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'questioning_vote', 'app': 'questioning', 'unique_together': (('ballot', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
