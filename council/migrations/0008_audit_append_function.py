from tortoise import migrations
from tortoise.migrations import operations as ops

# council.audit.PG_APPEND_FUNCTION as it was written with this migration (a migration does not
# change with the code after it).
PG_APPEND_FUNCTION = """CREATE OR REPLACE FUNCTION council_audit_append(
    p_chain int, p_at timestamptz, p_pre text[], p_post text[], p_actor_id int[],
    p_actor_name text[], p_operation text[], p_target_type text[], p_target_id text[],
    p_council_id int[], p_ip text[], p_details jsonb[]
) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    s bigint;
    h text;
    prev text;
BEGIN
    PERFORM pg_advisory_xact_lock(7240125, p_chain);
    SELECT e.seq, e.hash INTO s, h FROM audit_entry e
        WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        s := 0;
        h := '0000000000000000000000000000000000000000000000000000000000000000';
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_pre, 1), 0) LOOP
        s := s + 1;
        prev := h;
        h := encode(sha256(convert_to(p_pre[i] || prev || '","seq":' || s::text || p_post[i],
            'UTF8')), 'hex');
        INSERT INTO audit_entry (seq, created_at, actor_id, actor_name, operation, target_type, target_id, council_id, ip, details, prev_hash, hash, chain)
        VALUES (s, p_at, p_actor_id[i], p_actor_name[i], p_operation[i], p_target_type[i],
            p_target_id[i], p_council_id[i], p_ip[i], p_details[i], prev, h, p_chain);
    END LOOP;
    RETURN s::text || ':' || h;
END
$fn$"""


async def create_append_function(apps, schema_editor) -> None:
    """PostgreSQL: the function that appends to a chain from its true head (council.audit)."""
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(PG_APPEND_FUNCTION)


async def drop_append_function(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(
            "DROP FUNCTION IF EXISTS council_audit_append(int, timestamptz, text[], text[], "
            "int[], text[], text[], text[], text[], int[], text[], jsonb[])"
        )


class Migration(migrations.Migration):
    dependencies = [('council', '0007_signing_sessions')]

    initial = False

    operations = [
        ops.RunPython(create_append_function, drop_append_function),
    ]
