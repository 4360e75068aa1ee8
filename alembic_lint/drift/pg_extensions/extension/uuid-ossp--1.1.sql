-- alembic-lint's stand-in for uuid-ossp 1.1: the same functions, in SQL and PL/pgSQL, so that
-- migrations that CREATE EXTENSION "uuid-ossp" run on the embedded PostgreSQL.
-- v3 and v5 are exact (RFC 4122); v1 and v1mc have the version-1 layout and the current time,
-- with a random node (multicast bit set), never the host's MAC address.

-- SHA-1 (FIPS 180-4) on 32-bit words held in bigint
CREATE FUNCTION @extschema@.alembic_lint_uuid_sha1(data bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $sha1$
DECLARE
    mask constant bigint := 4294967295;
    h bigint[] := ARRAY[1732584193, 4023233417, 2562383102, 271733878, 3285377520];
    msg bytea;
    w bigint[];
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
    chunk int; i int;
BEGIN
    msg := data || '\x80'::bytea
        || decode(repeat('00', ((55 - length(data)) % 64 + 64) % 64), 'hex')
        || int8send(length(data)::bigint * 8);
    FOR chunk IN 0 .. length(msg) / 64 - 1 LOOP
        w := array_fill(0::bigint, ARRAY[80]);
        FOR i IN 0 .. 15 LOOP
            w[i + 1] := (get_byte(msg, chunk * 64 + i * 4)::bigint << 24)
                | (get_byte(msg, chunk * 64 + i * 4 + 1) << 16)
                | (get_byte(msg, chunk * 64 + i * 4 + 2) << 8)
                | get_byte(msg, chunk * 64 + i * 4 + 3);
        END LOOP;
        FOR i IN 16 .. 79 LOOP
            t := w[i - 2] # w[i - 7] # w[i - 13] # w[i - 15];
            w[i + 1] := ((t << 1) | (t >> 31)) & mask;
        END LOOP;
        a := h[1]; b := h[2]; c := h[3]; d := h[4]; e := h[5];
        FOR i IN 0 .. 79 LOOP
            IF i < 20 THEN
                f := (b & c) | ((b # mask) & d); k := 1518500249;
            ELSIF i < 40 THEN
                f := b # c # d; k := 1859775393;
            ELSIF i < 60 THEN
                f := (b & c) | (b & d) | (c & d); k := 2400959708;
            ELSE
                f := b # c # d; k := 3395469782;
            END IF;
            t := ((((a << 5) | (a >> 27)) & mask) + f + e + k + w[i + 1]) & mask;
            e := d; d := c; c := ((b << 30) | (b >> 2)) & mask; b := a; a := t;
        END LOOP;
        h[1] := (h[1] + a) & mask; h[2] := (h[2] + b) & mask; h[3] := (h[3] + c) & mask;
        h[4] := (h[4] + d) & mask; h[5] := (h[5] + e) & mask;
    END LOOP;
    RETURN decode(lpad(to_hex(h[1]), 8, '0') || lpad(to_hex(h[2]), 8, '0')
        || lpad(to_hex(h[3]), 8, '0') || lpad(to_hex(h[4]), 8, '0')
        || lpad(to_hex(h[5]), 8, '0'), 'hex');
END
$sha1$;

CREATE FUNCTION @extschema@.uuid_nil() RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_dns() RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_url() RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_oid() RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_x500() RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION @extschema@.uuid_generate_v4() RETURNS uuid
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE AS $$ SELECT pg_catalog.gen_random_uuid() $$;

CREATE FUNCTION @extschema@.alembic_lint_uuid_v1() RETURNS uuid
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
    -- 100 ns intervals since 1582-10-15, the version-1 epoch
    ts bigint := (extract(epoch FROM clock_timestamp()) * 10000000)::bigint + 122192928000000000;
    rnd bytea := uuid_send(gen_random_uuid());
BEGIN
    RETURN (lpad(to_hex(ts & 4294967295), 8, '0')
        || lpad(to_hex((ts >> 32) & 65535), 4, '0')
        || lpad(to_hex(((ts >> 48) & 4095) | 4096), 4, '0')
        || lpad(to_hex(((get_byte(rnd, 0) << 8 | get_byte(rnd, 1)) & 16383) | 32768), 4, '0')
        || encode(set_byte(substring(rnd FROM 11 FOR 6), 0, get_byte(rnd, 10) | 1), 'hex'))::uuid;
END
$$;
CREATE FUNCTION @extschema@.uuid_generate_v1() RETURNS uuid
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE AS $$ SELECT @extschema@.alembic_lint_uuid_v1() $$;
CREATE FUNCTION @extschema@.uuid_generate_v1mc() RETURNS uuid
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE AS $$ SELECT @extschema@.alembic_lint_uuid_v1() $$;

CREATE FUNCTION @extschema@.alembic_lint_uuid_from_hash(hash bytea, version int) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT encode(set_byte(set_byte(substring(hash FROM 1 FOR 16),
        6, (get_byte(hash, 6) & 15) | (version << 4)),
        8, (get_byte(hash, 8) & 63) | 128), 'hex')::uuid
$$;
CREATE FUNCTION @extschema@.uuid_generate_v3(namespace uuid, name text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.alembic_lint_uuid_from_hash(decode(md5(
        uuid_send(namespace) || convert_to(name, pg_catalog.getdatabaseencoding())), 'hex'), 3)
$$;
CREATE FUNCTION @extschema@.uuid_generate_v5(namespace uuid, name text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.alembic_lint_uuid_from_hash(@extschema@.alembic_lint_uuid_sha1(
        uuid_send(namespace) || convert_to(name, pg_catalog.getdatabaseencoding())), 5)
$$;
