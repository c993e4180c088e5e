-- Supabase Vault 0.3 for the groundwork stack: the same vault.secrets table,
-- vault.decrypted_secrets view, functions (signatures and defaults) and grants as hosted,
-- in PL/pgSQL. Hosted encrypts with libsodium under a key the server loads at start;
-- here pgcrypto does authenticated encryption (AES-256-CBC, then HMAC-SHA-256 over nonce,
-- associated data and ciphertext) under a key the stack keeps in its state folder
-- (`vault.key`, beside the data directory), never in the database.
\echo Use "CREATE EXTENSION supabase_vault" to load this file. \quit

-- Reads the stack's key. data_directory can't be changed by a session, so neither can the path.
create function vault._master_key()
returns bytea
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  key_path constant text := pg_catalog.current_setting('data_directory') operator(pg_catalog.||) '/../vault.key';
  key_hex text;
begin
  begin
    key_hex := pg_catalog.pg_read_file(key_path);
  exception when undefined_file then
    raise exception using
      errcode = 'object_not_in_prerequisite_state',
      message = 'the Vault key is missing',
      detail = pg_catalog.format('%s does not exist.', key_path),
      hint = 'groundwork writes it when the stack starts; start the database with groundwork.';
  end;
  return pg_catalog.decode(pg_catalog.btrim(key_hex, E' \n'), 'hex');
end
$$;

-- A key for one purpose ('encrypt' or 'authenticate'), key id and context, derived from the master key.
create function vault._derived_key(purpose text, key_id bigint, context bytea)
returns bytea
language sql
stable
security definer
set search_path = ''
as $$
  select @extschema:pgcrypto@.hmac(
    pg_catalog.convert_to(purpose, 'UTF8') operator(pg_catalog.||) pg_catalog.int8send(key_id)
      operator(pg_catalog.||) coalesce(context, ''::bytea),
    vault._master_key(),
    'sha256'
  )
$$;

create function vault._crypto_aead_det_noncegen()
returns bytea
language sql
volatile
as $$
  select @extschema:pgcrypto@.gen_random_bytes(16)
$$;

-- The tag covers the nonce, the length-prefixed associated data and the ciphertext.
create function vault._crypto_aead_tag(nonce bytea, additional bytea, ciphertext bytea, key_id bigint, context bytea)
returns bytea
language sql
stable
security definer
set search_path = ''
as $$
  select @extschema:pgcrypto@.hmac(
    nonce operator(pg_catalog.||) pg_catalog.int4send(pg_catalog.length(coalesce(additional, ''::bytea)))
      operator(pg_catalog.||) coalesce(additional, ''::bytea) operator(pg_catalog.||) ciphertext,
    vault._derived_key('authenticate', key_id, context),
    'sha256'
  )
$$;

create function vault._crypto_aead_det_encrypt(
  message bytea,
  additional bytea,
  key_id bigint,
  context bytea = 'pgsodium',
  nonce bytea = null
)
returns bytea
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  -- Without a nonce the encryption is deterministic (the nonce is derived from the input), as in det AEAD.
  iv constant bytea := coalesce(
    nonce,
    pg_catalog.substr(
      @extschema:pgcrypto@.hmac(message operator(pg_catalog.||) coalesce(additional, ''::bytea),
                                vault._derived_key('nonce', key_id, context), 'sha256'),
      1, 16));
  ciphertext bytea;
begin
  if pg_catalog.length(iv) operator(pg_catalog.<>) 16 then
    raise exception 'nonce must be 16 bytes';
  end if;
  ciphertext := @extschema:pgcrypto@.encrypt_iv(message, vault._derived_key('encrypt', key_id, context), iv,
                                                'aes-cbc/pad:pkcs');
  return ciphertext operator(pg_catalog.||) vault._crypto_aead_tag(iv, additional, ciphertext, key_id, context);
end
$$;

create function vault._crypto_aead_det_decrypt(
  message bytea,
  additional bytea,
  key_id bigint,
  context bytea = 'pgsodium',
  nonce bytea = null
)
returns bytea
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  total constant integer := pg_catalog.length(message);
  ciphertext constant bytea := pg_catalog.substr(message, 1, total operator(pg_catalog.-) 32);
  tag constant bytea := pg_catalog.substr(message, total operator(pg_catalog.-) 31);
begin
  if total operator(pg_catalog.<) 48 or nonce is null
     or tag operator(pg_catalog.<>) vault._crypto_aead_tag(nonce, additional, ciphertext, key_id, context) then
    raise exception using errcode = 'data_exception', message = 'vault: invalid ciphertext';
  end if;
  return @extschema:pgcrypto@.decrypt_iv(ciphertext, vault._derived_key('encrypt', key_id, context), nonce,
                                         'aes-cbc/pad:pkcs');
end
$$;

create table vault.secrets (
  id uuid primary key default pg_catalog.gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';
create unique index on vault.secrets using btree (name) where name is not null;

create view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  pg_catalog.convert_from(
    vault._crypto_aead_det_decrypt(
      message := pg_catalog.decode(s.secret, 'base64'),
      additional := pg_catalog.convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := s.nonce
    ),
    'utf8'
  ) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

-- The plaintext is encrypted before the row is written, so it never reaches the table.
create function vault.create_secret(
  new_secret text,
  new_name text = null,
  new_description text = '',
  -- unused
  new_key_id uuid = null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  secret_id constant uuid := pg_catalog.gen_random_uuid();
  secret_nonce constant bytea := vault._crypto_aead_det_noncegen();
begin
  insert into vault.secrets (id, secret, name, description, nonce)
  values (
    secret_id,
    pg_catalog.encode(
      vault._crypto_aead_det_encrypt(
        message := pg_catalog.convert_to(new_secret, 'utf8'),
        additional := pg_catalog.convert_to(secret_id::text, 'utf8'),
        key_id := 0,
        context := 'pgsodium'::bytea,
        nonce := secret_nonce
      ),
      'base64'
    ),
    new_name,
    new_description,
    secret_nonce
  );
  return secret_id;
end
$$;

create function vault.update_secret(
  secret_id uuid,
  new_secret text = null,
  new_name text = null,
  new_description text = null,
  -- unused
  new_key_id uuid = null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- A fresh nonce for every encryption: CBC must never reuse one with the same key.
  secret_nonce constant bytea := vault._crypto_aead_det_noncegen();
begin
  update vault.secrets s
     set secret = case when new_secret is null then s.secret
                       else pg_catalog.encode(
                         vault._crypto_aead_det_encrypt(
                           message := pg_catalog.convert_to(new_secret, 'utf8'),
                           additional := pg_catalog.convert_to(s.id::text, 'utf8'),
                           key_id := 0,
                           context := 'pgsodium'::bytea,
                           nonce := secret_nonce
                         ),
                         'base64')
                  end,
         nonce = case when new_secret is null then s.nonce else secret_nonce end,
         name = coalesce(new_name, s.name),
         description = coalesce(new_description, s.description),
         updated_at = now()
   where s.id operator(pg_catalog.=) secret_id;
end
$$;

select pg_catalog.pg_extension_config_dump('vault.secrets', '');

-- Nothing here is for everyone; the grants below are hosted's.
revoke all on function vault._master_key(), vault._derived_key(text, bigint, bytea),
  vault._crypto_aead_tag(bytea, bytea, bytea, bigint, bytea),
  vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_noncegen(),
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid) from public;

grant usage on schema vault to postgres with grant option;
grant select, delete, truncate, references on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) to postgres with grant option;

do $service_role$
begin
  -- service_role could manage secrets in Vault <= 0.2.8; hosted keeps that.
  if exists (select from pg_catalog.pg_roles where rolname operator(pg_catalog.=) 'service_role') then
    grant usage on schema vault to service_role;
    grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
    grant execute on function vault.create_secret(text, text, text, uuid),
      vault.update_secret(uuid, text, text, text, uuid),
      vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) to service_role;
  end if;
end
$service_role$;
