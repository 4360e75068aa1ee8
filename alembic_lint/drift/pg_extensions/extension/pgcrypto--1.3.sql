-- alembic-lint's stand-in for pgcrypto 1.3: what migrations use, in SQL and PL/pgSQL, so that
-- migrations that CREATE EXTENSION pgcrypto run on the embedded PostgreSQL.
-- Exact: digest() and hmac() for md5, sha1, sha224, sha256, sha384, sha512; gen_random_uuid().
-- gen_random_bytes() draws on gen_random_uuid() (the server's strong random source).
-- crypt, gen_salt, encrypt/decrypt, pgp_* and armor raise a clear error instead.

-- SHA-1 (FIPS 180-4) on 32-bit words held in bigint
CREATE FUNCTION @extschema@.alembic_lint_pgcrypto_sha1(data bytea) RETURNS bytea
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

CREATE FUNCTION @extschema@.digest(bytea, text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    CASE lower($2)
        WHEN 'md5' THEN RETURN decode(md5($1), 'hex');
        WHEN 'sha1' THEN RETURN @extschema@.alembic_lint_pgcrypto_sha1($1);
        WHEN 'sha224' THEN RETURN sha224($1);
        WHEN 'sha256' THEN RETURN sha256($1);
        WHEN 'sha384' THEN RETURN sha384($1);
        WHEN 'sha512' THEN RETURN sha512($1);
        ELSE RAISE EXCEPTION 'Cannot use "%": No such hash algorithm', $2
            USING ERRCODE = 'external_routine_invocation_exception';
    END CASE;
END
$$;
CREATE FUNCTION @extschema@.digest(text, text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.digest(convert_to($1, pg_catalog.getdatabaseencoding()), $2)
$$;

CREATE FUNCTION @extschema@.hmac(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    block int := CASE WHEN lower($3) IN ('sha384', 'sha512') THEN 128 ELSE 64 END;
    key bytea := $2;
    inner_key bytea;
    outer_key bytea;
    i int;
BEGIN
    IF length(key) > block THEN
        key := @extschema@.digest(key, $3);
    END IF;
    key := key || decode(repeat('00', block - length(key)), 'hex');
    inner_key := key;
    outer_key := key;
    FOR i IN 0 .. block - 1 LOOP
        inner_key := set_byte(inner_key, i, get_byte(key, i) # 54);
        outer_key := set_byte(outer_key, i, get_byte(key, i) # 92);
    END LOOP;
    RETURN @extschema@.digest(outer_key || @extschema@.digest(inner_key || $1, $3), $3);
END
$$;
CREATE FUNCTION @extschema@.hmac(text, text, text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.hmac(convert_to($1, pg_catalog.getdatabaseencoding()),
        convert_to($2, pg_catalog.getdatabaseencoding()), $3)
$$;

CREATE FUNCTION @extschema@.gen_random_uuid() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$ SELECT pg_catalog.gen_random_uuid() $$;

CREATE FUNCTION @extschema@.gen_random_bytes(integer) RETURNS bytea
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
    result bytea := '';
BEGIN
    IF $1 < 1 OR $1 > 1024 THEN
        RAISE EXCEPTION 'Length not in range' USING ERRCODE = 'external_routine_invocation_exception';
    END IF;
    WHILE length(result) < $1 LOOP
        result := result || sha256(uuid_send(pg_catalog.gen_random_uuid())
            || uuid_send(pg_catalog.gen_random_uuid()));
    END LOOP;
    RETURN substring(result FROM 1 FOR $1);
END
$$;

CREATE FUNCTION @extschema@.alembic_lint_pgcrypto_not_covered(name text) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
BEGIN
    RAISE EXCEPTION '%() is not covered by alembic-lint''s pgcrypto stand-in; use --url with a real server', name
        USING ERRCODE = 'feature_not_supported';
END
$$;
CREATE FUNCTION @extschema@.crypt(text, text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('crypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.gen_salt(text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('gen_salt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.gen_salt(text, integer) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('gen_salt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.encrypt(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('encrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.decrypt(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('decrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.encrypt_iv(bytea, bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('encrypt_iv'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.decrypt_iv(bytea, bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('decrypt_iv'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_encrypt(text, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_encrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_encrypt(text, text, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_encrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_encrypt_bytea(bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_encrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_encrypt_bytea(bytea, text, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_encrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_decrypt(bytea, text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_decrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_decrypt(bytea, text, text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_decrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_decrypt_bytea(bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_decrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_sym_decrypt_bytea(bytea, text, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_sym_decrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_encrypt(text, bytea) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_encrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_encrypt(text, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_encrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_encrypt_bytea(bytea, bytea) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_encrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_encrypt_bytea(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_encrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_decrypt(bytea, bytea) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_decrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_decrypt(bytea, bytea, text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_decrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_decrypt(bytea, bytea, text, text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_decrypt'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_decrypt_bytea(bytea, bytea) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_decrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_decrypt_bytea(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_decrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_pub_decrypt_bytea(bytea, bytea, text, text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_pub_decrypt_bytea'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.pgp_key_id(bytea) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('pgp_key_id'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.armor(bytea) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('armor'); RETURN NULL; END $$;
CREATE FUNCTION @extschema@.dearmor(text) RETURNS bytea
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$ BEGIN PERFORM @extschema@.alembic_lint_pgcrypto_not_covered('dearmor'); RETURN NULL; END $$;
