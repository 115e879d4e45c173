from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='meeting_sessions', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=300)),
                ('location', fields.CharField(default='', max_length=200)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='draft', db_index=True, max_length=16)),
                ('current_item_id', fields.IntField(null=True)),
                ('speaking_seconds', fields.IntField(default=300)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meetings_session', 'app': 'meetings', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgendaItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('title', fields.CharField(max_length=300)),
                ('kind', fields.CharField(default='other', max_length=32)),
                ('description', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meetings_agenda_item', 'app': 'meetings', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attendance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='attendance', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='meeting_attendance', on_delete=OnDelete.CASCADE)),
                ('checked_in_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('marked_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'meetings_attendance', 'app': 'meetings', 'unique_together': (('session', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('meetings.AgendaItem', source_field='item_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=300)),
                ('confidentiality', fields.CharField(default='internal', max_length=16)),
                ('current_version', fields.IntField(default=1)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meetings_document', 'app': 'meetings', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('meetings.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('path', fields.CharField(max_length=300)),
                ('mime', fields.CharField(max_length=100)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('original_name', fields.CharField(default='', max_length=200)),
                ('page_count', fields.IntField(default=0)),
                ('uploaded_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meetings_document_version', 'app': 'meetings', 'unique_together': (('document', 'number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentPage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.ForeignKeyField('meetings.DocumentVersion', source_field='version_id', db_constraint=True, to_field='id', related_name='pages', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'meetings_document_page', 'app': 'meetings', 'unique_together': (('version', 'number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='meeting_notes', on_delete=OnDelete.CASCADE)),
                ('document', fields.ForeignKeyField('meetings.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('page', fields.IntField()),
                ('text', fields.TextField(default='', unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'meetings_note', 'app': 'meetings', 'unique_together': (('user', 'document', 'page'),), 'pk_attr': 'id', 'table_description': "A delegate's private note on one page of a document, only its author ever reads it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Poll',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='polls', on_delete=OnDelete.CASCADE)),
                ('item_id', fields.IntField(null=True)),
                ('title', fields.CharField(max_length=300)),
                ('kind', fields.CharField(default='motion', max_length=16)),
                ('secret', fields.BooleanField(default=False)),
                ('rule', fields.CharField(default='majority_of_seats', max_length=32)),
                ('max_choices', fields.IntField(default=1)),
                ('status', fields.CharField(default='draft', db_index=True, max_length=16)),
                ('seats', fields.IntField()),
                ('voted', fields.IntField(default=0)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_poll', 'app': 'meetings', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('meetings.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('choice', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'meetings_ballot', 'app': 'meetings', 'pk_attr': 'id', 'table_description': "One cast ballot's content. Deliberately without user, time or sequence (see module doc)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotReceipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('meetings.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='ballot_receipts', on_delete=OnDelete.RESTRICT)),
                ('choice', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meetings_ballot_receipt', 'app': 'meetings', 'unique_together': (('poll', 'user'),), 'pk_attr': 'id', 'table_description': 'That a delegate voted on a poll. The unique constraint is the one-ballot-per-delegate rule.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PollOption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('meetings.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('label', fields.CharField(max_length=200)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'meetings_poll_option', 'app': 'meetings', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpeakerRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='speaker_requests', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='speaker_requests', on_delete=OnDelete.CASCADE)),
                ('item_id', fields.IntField(null=True)),
                ('status', fields.CharField(default='waiting', db_index=True, max_length=16)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_speaker_request', 'app': 'meetings', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
