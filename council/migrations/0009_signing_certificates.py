from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('council', '0008_audit_append_function')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SigningCertificate',
            fields=[
                ('id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.IntField(db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('subject', fields.CharField(max_length=500)),
                ('issuer', fields.CharField(max_length=500)),
                ('serial', fields.CharField(max_length=100)),
                ('not_after', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('der', fields.BinaryField()),
                ('registered_by_id', fields.IntField(null=True)),
                ('registered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signing_certificate', 'app': 'council', 'pk_attr': 'id', 'table_description': "A signer's certificate, registered to their account by an administrator: a remote"},
            bases=['Model'],
        ),
    ]
