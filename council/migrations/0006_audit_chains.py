from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('council', '0005_user_title')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='AuditEntry',
            options={'table': 'audit_entry', 'app': 'council', 'unique_together': (('chain', 'seq'),), 'pk_attr': 'id', 'table_description': "One link of a hash chain. ``hash`` covers every field and the previous entry's hash."},
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='seq',
            field=fields.BigIntField(),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='chain',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddConstraint(
            model_name='AuditEntry',
            constraint=UniqueConstraint(fields=('chain', 'seq'), name=None),
        ),
    ]
