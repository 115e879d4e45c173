from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Reply letters already attached before their petition's answer was published were reviewed with
# it: they keep reaching the petitioner. One attached after the publication waits for the next.
PUBLISH_REVIEWED = """
UPDATE petition_attachment SET published_at = (
    SELECT p.published_at FROM petition p WHERE p.id = petition_attachment.petition_id
)
WHERE kind = 'reply' AND EXISTS (
    SELECT 1 FROM petition p
    WHERE p.id = petition_attachment.petition_id
      AND p.published_at IS NOT NULL
      AND petition_attachment.created_at <= p.published_at
)
"""


class Migration(migrations.Migration):
    dependencies = [('petitions', '0002_extensions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Attachment',
            name='published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Attachment',
            name='added_by_agency',
            field=fields.ForeignKeyField('council.Agency', source_field='added_by_agency_id', null=True, db_constraint=True, to_field='id', related_name='reply_letters', on_delete=OnDelete.SET_NULL),
        ),
        ops.RunSQL(PUBLISH_REVIEWED, reverse_sql="SELECT 1"),
    ]
