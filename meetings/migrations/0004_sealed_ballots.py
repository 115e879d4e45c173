from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0001_initial'), ('council', '0002_search_outbox'), ('meetings', '0003_minutes_number')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SealedBallots',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('poll', fields.ForeignKeyField('meetings.Poll', source_field='poll_id', db_constraint=True, to_field='id', related_name='sealed_ballots', on_delete=OnDelete.CASCADE)),
                ('sealed', fields.BinaryField()),
            ],
            options={'table': 'meetings_sealed_ballots', 'app': 'meetings', 'pk_attr': 'id', 'table_description': "Choices of a secret poll sealed to its key: one group commit's, or after the close all of them."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Poll',
            name='ballot_key',
            field=fields.BinaryField(null=True),
        ),
        ops.AddField(
            model_name='Poll',
            name='sealed_key',
            field=fields.BinaryField(null=True),
        ),
    ]
