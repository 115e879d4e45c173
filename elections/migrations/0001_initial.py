from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Term',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='terms', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField()),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'elections_term', 'app': 'elections', 'unique_together': (('council', 'number'),), 'pk_attr': 'id', 'table_description': 'One term of a council (khóa XVII, nhiệm kỳ 2026-2031).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Election',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='elections', on_delete=OnDelete.RESTRICT)),
                ('term', fields.ForeignKeyField('elections.Term', source_field='term_id', db_constraint=True, to_field='id', related_name='elections', on_delete=OnDelete.RESTRICT)),
                ('day', fields.DateField()),
                ('kind', fields.CharField(default='regular', max_length=10)),
                ('status', fields.CharField(default='preparing', max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'elections_election', 'app': 'elections', 'pk_attr': 'id', 'table_description': "An election of a council's delegates on one day, regular or a by-election."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Constituency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('election', fields.ForeignKeyField('elections.Election', source_field='election_id', db_constraint=True, to_field='id', related_name='constituencies', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('area', fields.TextField(unique=False)),
                ('division_codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('seats', fields.IntField()),
                ('registered', fields.IntField(default=0)),
            ],
            options={'table': 'elections_constituency', 'app': 'elections', 'unique_together': (('election', 'number'),), 'pk_attr': 'id', 'table_description': 'Đơn vị bầu cử: its number, area and seats (at most 5), and its registered voters.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Candidate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('constituency', fields.ForeignKeyField('elections.Constituency', source_field='constituency_id', db_constraint=True, to_field='id', related_name='candidates', on_delete=OnDelete.CASCADE)),
                ('full_name', fields.CharField(max_length=200)),
                ('birth_date', fields.DateField()),
                ('gender', fields.CharField(max_length=10)),
                ('ethnicity', fields.CharField(default='Kinh', max_length=60)),
                ('religion', fields.CharField(default='', max_length=60)),
                ('hometown', fields.CharField(default='', max_length=200)),
                ('education', fields.CharField(default='', max_length=200)),
                ('political_theory', fields.CharField(default='', max_length=100)),
                ('occupation', fields.CharField(default='', max_length=200)),
                ('workplace', fields.CharField(default='', max_length=300)),
                ('party_joined', fields.DateField(null=True)),
                ('nominated_by', fields.CharField(default='', max_length=300)),
                ('withdrawn', fields.BooleanField(default=False)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='candidacies', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'elections_candidate', 'app': 'elections', 'pk_attr': 'id', 'table_description': "A candidate's published profile (no ID numbers, nothing beyond what is published)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CandidateEdit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate', fields.ForeignKeyField('elections.Candidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='edits', on_delete=OnDelete.CASCADE)),
                ('changes', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('source', fields.CharField(max_length=300)),
                ('actor', fields.ForeignKeyField('council.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='+', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'elections_candidate_edit', 'app': 'elections', 'pk_attr': 'id', 'table_description': "Every change of a candidate's profile, with the document or decision it comes from."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollingArea',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('constituency', fields.ForeignKeyField('elections.Constituency', source_field='constituency_id', db_constraint=True, to_field='id', related_name='areas', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('name', fields.CharField(max_length=200)),
                ('registered', fields.IntField(default=0)),
                ('voted', fields.IntField(default=0)),
                ('issued', fields.IntField(default=0)),
                ('received', fields.IntField(default=0)),
                ('valid', fields.IntField(default=0)),
                ('invalid', fields.IntField(default=0)),
                ('votes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('counted', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'elections_polling_area', 'app': 'elections', 'unique_together': (('constituency', 'number'),), 'pk_attr': 'id', 'table_description': "Khu vực bỏ phiếu: the polling team's counts, entered from its record."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TermSeat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('term', fields.ForeignKeyField('elections.Term', source_field='term_id', db_constraint=True, to_field='id', related_name='seats', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='term_seats', on_delete=OnDelete.RESTRICT)),
                ('constituency', fields.ForeignKeyField('elections.Constituency', source_field='constituency_id', null=True, db_constraint=True, to_field='id', related_name='seats_held', on_delete=OnDelete.SET_NULL)),
                ('candidate', fields.ForeignKeyField('elections.Candidate', source_field='candidate_id', null=True, db_constraint=True, to_field='id', related_name='seats', on_delete=OnDelete.SET_NULL)),
                ('since', fields.DateField()),
                ('until', fields.DateField(null=True)),
                ('end_reason', fields.CharField(null=True, max_length=12)),
                ('end_note', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'elections_term_seat', 'app': 'elections', 'pk_attr': 'id', 'table_description': "A delegate's seat in a term, from the election that filled it until it ends (a vacancy)."},
            bases=['Model'],
        ),
    ]
