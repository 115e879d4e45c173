from tortoise import migrations
from tortoise.migrations import operations as ops
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0006_audit_chains')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SigningSession',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user_id', fields.IntField(db_index=True)),
                ('target_type', fields.CharField(max_length=32)),
                ('target_id', fields.IntField()),
                ('field_name', fields.CharField(max_length=64)),
                ('prepared', fields.BinaryField()),
                ('digest', fields.CharField(max_length=128)),
                ('digest_algorithm', fields.CharField(default='sha256', max_length=16)),
                ('region_start', fields.IntField()),
                ('region_end', fields.IntField()),
                ('certificate', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signing_session', 'app': 'council', 'pk_attr': 'id', 'table_description': 'One prepared signature: the document up to its placeholder, the digest the signer signs,'},
            bases=['Model'],
        ),
    ]
