from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0004_division_code'), ('elections', '0001_initial'), ('petitions', '0002_extensions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContactMeeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='contact_meetings', on_delete=OnDelete.RESTRICT)),
                ('term', fields.ForeignKeyField('elections.Term', source_field='term_id', db_constraint=True, to_field='id', related_name='contact_meetings', on_delete=OnDelete.CASCADE)),
                ('constituency', fields.ForeignKeyField('elections.Constituency', source_field='constituency_id', null=True, db_constraint=True, to_field='id', related_name='contact_meetings', on_delete=OnDelete.SET_NULL)),
                ('voter_meeting', fields.ForeignKeyField('petitions.VoterMeeting', source_field='voter_meeting_id', null=True, unique=True, db_constraint=True, to_field='id', related_name='contact_links', on_delete=OnDelete.SET_NULL)),
                ('day', fields.DateField()),
                ('time', fields.CharField(default='', max_length=5)),
                ('place', fields.CharField(max_length=300)),
                ('created_by', fields.ForeignKeyField('council.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='contact_meetings_created', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'elections_contact_meeting', 'app': 'elections', 'pk_attr': 'id', 'table_description': "A voter-contact meeting (tiếp xúc cử tri) of a term's delegates in their constituency,"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContactDelegate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('elections.ContactMeeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='delegates', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='contact_meeting_seats', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'elections_contact_delegate', 'app': 'elections', 'unique_together': (('meeting', 'user'),), 'pk_attr': 'id', 'table_description': "A delegate's account taking part in a voter-contact meeting."},
            bases=['Model'],
        ),
    ]
