from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0002_search_outbox'), ('meetings', '0004_sealed_ballots')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Absence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='absences', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='meeting_absences', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('reason', fields.CharField(max_length=300)),
                ('recorded_by_id', fields.IntField(null=True)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_absence', 'app': 'meetings', 'unique_together': (('session', 'user', 'day'),), 'pk_attr': 'id', 'table_description': 'A delegate absent with a reason (vắng mặt có lý do) on one day of a sitting.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttendancePast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='attendance_past', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='meeting_attendance_past', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('checked_in_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('marked_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'meetings_attendance_past', 'app': 'meetings', 'unique_together': (('session', 'user', 'day'),), 'pk_attr': 'id', 'table_description': 'Who was present on an earlier day of a sitting of several days.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HallDisplay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('council', fields.ForeignKeyField('council.Council', source_field='council_id', db_constraint=True, to_field='id', related_name='hall_displays', on_delete=OnDelete.RESTRICT)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='hall_display', on_delete=OnDelete.RESTRICT)),
                ('label', fields.CharField(max_length=100)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by_id', fields.IntField(null=True)),
                ('last_opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_hall_display', 'app': 'meetings', 'pk_attr': 'id', 'table_description': "A hall screen's kiosk link: a display account of the council, opened without a delegate's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HandVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('meetings.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='hand_votes', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='hand_votes', on_delete=OnDelete.RESTRICT)),
                ('choice', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('entered_by_id', fields.IntField()),
                ('entered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by_id', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_hand_vote', 'app': 'meetings', 'pk_attr': 'id', 'table_description': 'A vote by show of hands for a delegate whose device failed, entered by the secretariat'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('council.User', source_field='user_id', db_constraint=True, to_field='id', related_name='meeting_notices', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('changes', fields.IntField(default=0)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('state', fields.CharField(default='recorded', max_length=16)),
                ('error', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_notice', 'app': 'meetings', 'pk_attr': 'id', 'table_description': 'What a delegate is told in the app (and by e-mail where it applies) about a session:'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('meetings.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('operation', fields.CharField(max_length=32)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actor_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meetings_session_change', 'app': 'meetings', 'pk_attr': 'id', 'table_description': "A change to a published session's agenda or documents, as delegates are told of it."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AgendaItem',
            name='speaking_seconds',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Poll',
            name='countdown_seconds',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Poll',
            name='revote_of_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Poll',
            name='revote_reason',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Session',
            name='attendance_day',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Session',
            name='check_in_opened_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Session',
            name='copied_from_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Session',
            name='current_item_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
