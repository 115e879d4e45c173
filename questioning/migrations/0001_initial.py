from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0004_division_code')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='questioning_notices', on_delete=OnDelete.CASCADE)),
                ('subject', fields.CharField(max_length=300)),
                ('link', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'questioning_notice', 'app': 'questioning', 'pk_attr': 'id', 'table_description': "A message in a user's questioning inbox (an answer came, a commitment was reported on)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Round',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='questioning_rounds', on_delete=OnDelete.RESTRICT)),
                ('session_id', fields.IntField(unique=True)),
                ('groups_fixed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('held_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'questioning_round', 'app': 'questioning', 'pk_attr': 'id', 'table_description': 'The questioning of one sitting: when its groups were fixed and when it was held.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuestionGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('questioning.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='groups', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=300)),
                ('criterion', fields.CharField(max_length=20)),
                ('machine_made', fields.BooleanField(default=False)),
                ('chosen', fields.BooleanField(default=False)),
                ('position', fields.IntField(default=0)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'questioning_group', 'app': 'questioning', 'pk_attr': 'id', 'table_description': 'Nhóm vấn đề: a set of question forms taken together, chosen by a criterion.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuestionForm',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('questioning.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='forms', on_delete=OnDelete.RESTRICT)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='question_forms', on_delete=OnDelete.RESTRICT)),
                ('asker', fields.ForeignKeyField('council.User', source_field='asker_id', db_constraint=True, to_field='id', related_name='question_forms', on_delete=OnDelete.RESTRICT)),
                ('agency', fields.ForeignKeyField('council.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='question_forms', on_delete=OnDelete.RESTRICT)),
                ('official_name', fields.CharField(max_length=200)),
                ('official_title', fields.CharField(max_length=200)),
                ('field', fields.CharField(max_length=100)),
                ('text', fields.TextField(unique=False)),
                ('petition_codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('written_only', fields.BooleanField(default=False)),
                ('state', fields.CharField(default='filed', db_index=True, max_length=12)),
                ('group', fields.ForeignKeyField('questioning.QuestionGroup', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='forms', on_delete=OnDelete.SET_NULL)),
                ('carried_from_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answer_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answer_text', fields.TextField(null=True, unique=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_by_id', fields.IntField(null=True)),
                ('letter_path', fields.CharField(null=True, max_length=300)),
                ('letter_name', fields.CharField(default='', max_length=200)),
                ('verdict', fields.CharField(null=True, max_length=14)),
                ('verdict_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'questioning_form', 'app': 'questioning', 'pk_attr': 'id', 'table_description': "Phiếu chất vấn: a delegate's question to an official of an agency of the council."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Commitment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='commitments', on_delete=OnDelete.RESTRICT)),
                ('session_id', fields.IntField()),
                ('agency', fields.ForeignKeyField('council.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='commitments', on_delete=OnDelete.RESTRICT)),
                ('official_name', fields.CharField(max_length=200)),
                ('official_title', fields.CharField(max_length=200)),
                ('form', fields.ForeignKeyField('questioning.QuestionForm', source_field='form_id', null=True, db_constraint=True, to_field='id', related_name='commitments', on_delete=OnDelete.SET_NULL)),
                ('measure', fields.TextField(unique=False)),
                ('deadline', fields.DateField()),
                ('percent', fields.IntField(default=0)),
                ('done_on', fields.DateField(null=True)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'questioning_commitment', 'app': 'questioning', 'pk_attr': 'id', 'table_description': 'Lời hứa: what an official undertook at the questioning, by when. Its state comes from its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Milestone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('commitment', fields.ForeignKeyField('questioning.Commitment', source_field='commitment_id', db_constraint=True, to_field='id', related_name='milestones', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=300)),
                ('due_on', fields.DateField()),
                ('done_on', fields.DateField(null=True)),
            ],
            options={'table': 'questioning_milestone', 'app': 'questioning', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProgressReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('commitment', fields.ForeignKeyField('questioning.Commitment', source_field='commitment_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('percent', fields.IntField()),
                ('note', fields.TextField(unique=False)),
                ('reported_on', fields.DateField()),
                ('evidence_path', fields.CharField(null=True, max_length=300)),
                ('evidence_name', fields.CharField(default='', max_length=200)),
                ('evidence_mime', fields.CharField(default='', max_length=100)),
                ('reported_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'questioning_progress', 'app': 'questioning', 'pk_attr': 'id', 'table_description': "The owner's report on a commitment: how far, what was done, and the evidence."},
            bases=['Model'],
        ),
    ]
