import Foundation
import PostgresNIO

/// The store's schema, versioned. `lumen store migrate` (and every `lumen serve --store` at start)
/// applies the versions not yet applied, in order, in one transaction, under an advisory lock so
/// that instances starting together do not race. A database migrated by a newer binary is
/// refused with a message rather than used.
package enum StoreMigrations {
    /// One schema step.
    package struct Migration: Sendable {
        package var version: Int
        package var name: String
        var sql: String
    }

    static let lockKey = 0x4C554D454E  // "LUMEN"

    /// The shortest deadline a migration gets, whatever the query deadline (seconds).
    static let deadline: Double = 60

    package static let all: [Migration] = [
        Migration(version: 1, name: "instances, audit chains and checkpoints, budgets, policy versions", sql: v1),
        Migration(version: 2, name: "no instance counts as silent before the database has been up for the stale interval", sql: v2),
    ]

    package static var latest: Int { all.map(\.version).max() ?? 0 }

    /// The statements of a migration (split at `;` outside `$$` bodies): the extended query protocol
    /// takes one statement at a time.
    static func statements(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        var inBody = false
        var previous: Character = " "
        for character in sql {
            current.append(character)
            if character == "$", previous == "$" { inBody.toggle() }
            if character == ";", !inBody {
                let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { out.append(String(trimmed.dropLast())) }
                current = ""
            }
            previous = character == "$" && previous == "$" ? " " : character
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    /// While the database was down no instance could beat, so right after it comes back every
    /// heartbeat is old: judged then, live instances' reservations were expired (charged at their
    /// worst case, their real settlement then ignored). Silence counts only once the database has
    /// been up for the stale interval itself; a stopped instance still expires at once.
    static let v2 = """
        CREATE OR REPLACE FUNCTION lumen_budget_expire(p_stale interval) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            r record;
            v_count integer := 0;
        BEGIN
            FOR r IN
                SELECT res.* FROM lumen_budget_reservations res
                    JOIN lumen_instances i ON i.instance_id = res.instance_id
                    WHERE (i.heartbeat_at < now() - p_stale AND pg_postmaster_start_time() < now() - p_stale) OR i.stopped_at IS NOT NULL
                    ORDER BY res.id FOR UPDATE OF res SKIP LOCKED
            LOOP
                PERFORM lumen_budget_lock(r.scopes, r.periods);
                UPDATE lumen_budget_counters SET reserved_usd = reserved_usd - r.amount_usd, spent_usd = spent_usd + r.amount_usd
                    WHERE (scope, period) IN (SELECT s, p FROM unnest(r.scopes, r.periods) AS u(s, p));
                DELETE FROM lumen_budget_reservations WHERE id = r.id;
                INSERT INTO lumen_budget_spend (request_id, instance_id, cost_usd, reserved_usd, outcome)
                    VALUES (r.request_id, r.instance_id, r.amount_usd, r.amount_usd, 'expired') ON CONFLICT DO NOTHING;
                v_count := v_count + 1;
            END LOOP;
            RETURN v_count;
        END $$;
        """

    static let v1 = """
        CREATE TABLE lumen_instances (
            instance_id text PRIMARY KEY,
            name text NOT NULL,
            host text NOT NULL,
            pid integer NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            heartbeat_at timestamptz NOT NULL DEFAULT now(),
            stopped_at timestamptz,
            policy_version integer,
            policy_hash text
        );

        -- One chain per instance: writers never serialise on one row. head_* is updated in the same
        -- statement as the records, a witness of the chain's end.
        CREATE TABLE lumen_audit_chains (
            chain_id text PRIMARY KEY,
            instance_id text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            head_seq bigint NOT NULL DEFAULT 0,
            head_hash text NOT NULL DEFAULT repeat('0', 64)
        );

        CREATE TABLE lumen_audit_records (
            id bigserial PRIMARY KEY,
            chain_id text NOT NULL REFERENCES lumen_audit_chains (chain_id),
            seq bigint NOT NULL,
            ts text NOT NULL,
            kind text NOT NULL,
            request_id text NOT NULL,
            hash text NOT NULL,
            prev_hash text NOT NULL,
            line text NOT NULL,
            UNIQUE (chain_id, seq)
        );
        CREATE INDEX lumen_audit_records_ts ON lumen_audit_records (ts);
        CREATE INDEX lumen_audit_records_request ON lumen_audit_records (request_id);

        -- Appends a batch to a chain if it continues the chain's head, in one round trip per batch.
        CREATE FUNCTION lumen_audit_append(p_chain text, p_seqs bigint[], p_ts text[], p_kinds text[], p_ids text[],
                                           p_hashes text[], p_prevs text[], p_lines text[]) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            v_head bigint;
            v_n integer := array_length(p_seqs, 1);
        BEGIN
            SELECT head_seq INTO v_head FROM lumen_audit_chains WHERE chain_id = p_chain FOR UPDATE;
            IF v_head IS NULL THEN
                RAISE EXCEPTION 'audit chain % is not registered', p_chain;
            END IF;
            IF p_seqs[1] <> v_head + 1 THEN
                RAISE EXCEPTION 'audit chain % is at seq %, batch starts at %', p_chain, v_head, p_seqs[1];
            END IF;
            INSERT INTO lumen_audit_records (chain_id, seq, ts, kind, request_id, hash, prev_hash, line)
                SELECT p_chain, s, t, k, i, h, p, l FROM unnest(p_seqs, p_ts, p_kinds, p_ids, p_hashes, p_prevs, p_lines) AS u(s, t, k, i, h, p, l);
            UPDATE lumen_audit_chains SET head_seq = p_seqs[v_n], head_hash = p_hashes[v_n] WHERE chain_id = p_chain;
        END $$;

        -- Signed checkpoints: every chain's head at one moment, linked to the previous checkpoint.
        CREATE TABLE lumen_audit_checkpoints (
            id bigserial PRIMARY KEY,
            ts text NOT NULL,
            instance_id text NOT NULL,
            body text NOT NULL,
            hash text NOT NULL,
            signer text NOT NULL,
            signature text NOT NULL
        );

        -- Budgets: spend and open reservations per (scope, period): scope '' is global, 't:TENANT' a
        -- tenant, period 'd:YYYY-MM-DD' or 'm:YYYY-MM' (UTC).
        CREATE TABLE lumen_budget_counters (
            scope text NOT NULL,
            period text NOT NULL,
            spent_usd numeric NOT NULL DEFAULT 0,
            reserved_usd numeric NOT NULL DEFAULT 0,
            PRIMARY KEY (scope, period)
        );

        CREATE TABLE lumen_budget_reservations (
            id bigserial PRIMARY KEY,
            request_id text NOT NULL,
            instance_id text NOT NULL,
            target text NOT NULL,
            amount_usd numeric NOT NULL,
            scopes text[] NOT NULL,
            periods text[] NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX lumen_budget_reservations_request ON lumen_budget_reservations (request_id);
        CREATE INDEX lumen_budget_reservations_instance ON lumen_budget_reservations (instance_id);

        -- One row per settled request (settling twice is a no-op) and per expired reservation.
        CREATE TABLE lumen_budget_spend (
            request_id text PRIMARY KEY,
            instance_id text NOT NULL,
            cost_usd numeric NOT NULL,
            reserved_usd numeric NOT NULL,
            outcome text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        );

        -- Locks the counters of the given keys in key order (no deadlocks), creating missing rows.
        CREATE FUNCTION lumen_budget_lock(p_scopes text[], p_periods text[]) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO lumen_budget_counters (scope, period)
                SELECT s, p FROM unnest(p_scopes, p_periods) AS u(s, p) ORDER BY s, p
                ON CONFLICT DO NOTHING;
            PERFORM 1 FROM lumen_budget_counters c
                WHERE (c.scope, c.period) IN (SELECT s, p FROM unnest(p_scopes, p_periods) AS u(s, p))
                ORDER BY c.scope, c.period FOR UPDATE;
        END $$;

        -- Reserves p_amount against every key the request counts towards, if every limited key has
        -- that much left (limit - spent - reserved). Returns NULL when granted, else why not.
        CREATE FUNCTION lumen_budget_reserve(p_request text, p_instance text, p_target text, p_amount numeric,
                                             p_scopes text[], p_periods text[],
                                             p_limit_scopes text[], p_limit_periods text[], p_limits numeric[]) RETURNS text
        LANGUAGE plpgsql AS $$
        DECLARE
            v_left numeric;
        BEGIN
            PERFORM lumen_budget_lock(p_scopes, p_periods);
            FOR i IN 1 .. coalesce(array_length(p_limits, 1), 0) LOOP
                SELECT p_limits[i] - spent_usd - reserved_usd INTO v_left FROM lumen_budget_counters
                    WHERE scope = p_limit_scopes[i] AND period = p_limit_periods[i];
                IF v_left IS NULL THEN
                    v_left := p_limits[i];
                END IF;
                IF v_left < p_amount THEN
                    RETURN format('%s|%s|%s', p_limit_scopes[i], p_limit_periods[i], v_left);
                END IF;
            END LOOP;
            UPDATE lumen_budget_counters SET reserved_usd = reserved_usd + p_amount
                WHERE (scope, period) IN (SELECT s, p FROM unnest(p_scopes, p_periods) AS u(s, p));
            INSERT INTO lumen_budget_reservations (request_id, instance_id, target, amount_usd, scopes, periods)
                VALUES (p_request, p_instance, p_target, p_amount, p_scopes, p_periods);
            RETURN NULL;
        END $$;

        -- Settles a request: its reservations are released and its real cost is added to the keys
        -- it was reserved on (or p_scopes/p_periods when it had none). Idempotent per request.
        CREATE FUNCTION lumen_budget_settle(p_request text, p_instance text, p_cost numeric,
                                            p_scopes text[], p_periods text[]) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            r record;
            v_scopes text[] := p_scopes;
            v_periods text[] := p_periods;
            v_reserved numeric := 0;
        BEGIN
            IF EXISTS (SELECT 1 FROM lumen_budget_spend WHERE request_id = p_request) THEN
                RETURN;
            END IF;
            SELECT scopes, periods INTO r FROM lumen_budget_reservations WHERE request_id = p_request ORDER BY id LIMIT 1;
            IF FOUND THEN
                v_scopes := r.scopes;
                v_periods := r.periods;
            END IF;
            PERFORM lumen_budget_lock(v_scopes, v_periods);
            FOR r IN DELETE FROM lumen_budget_reservations WHERE request_id = p_request RETURNING amount_usd, scopes, periods LOOP
                PERFORM lumen_budget_lock(r.scopes, r.periods);
                UPDATE lumen_budget_counters SET reserved_usd = reserved_usd - r.amount_usd
                    WHERE (scope, period) IN (SELECT s, p FROM unnest(r.scopes, r.periods) AS u(s, p));
                v_reserved := v_reserved + r.amount_usd;
            END LOOP;
            IF p_cost > 0 THEN
                UPDATE lumen_budget_counters SET spent_usd = spent_usd + p_cost
                    WHERE (scope, period) IN (SELECT s, p FROM unnest(v_scopes, v_periods) AS u(s, p));
            END IF;
            IF p_cost > 0 OR v_reserved > 0 THEN
                INSERT INTO lumen_budget_spend (request_id, instance_id, cost_usd, reserved_usd, outcome)
                    VALUES (p_request, p_instance, p_cost, v_reserved, 'settled') ON CONFLICT DO NOTHING;
            END IF;
        END $$;

        -- Expires the reservations of instances whose heartbeat is older than p_stale: each is charged
        -- at its worst case (the request may have been answered before the instance died), so the
        -- budget is never exceeded by what the dead instance sent. Returns how many expired.
        CREATE FUNCTION lumen_budget_expire(p_stale interval) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            r record;
            v_count integer := 0;
        BEGIN
            FOR r IN
                SELECT res.* FROM lumen_budget_reservations res
                    JOIN lumen_instances i ON i.instance_id = res.instance_id
                    WHERE i.heartbeat_at < now() - p_stale OR i.stopped_at IS NOT NULL
                    ORDER BY res.id FOR UPDATE OF res SKIP LOCKED
            LOOP
                PERFORM lumen_budget_lock(r.scopes, r.periods);
                UPDATE lumen_budget_counters SET reserved_usd = reserved_usd - r.amount_usd, spent_usd = spent_usd + r.amount_usd
                    WHERE (scope, period) IN (SELECT s, p FROM unnest(r.scopes, r.periods) AS u(s, p));
                DELETE FROM lumen_budget_reservations WHERE id = r.id;
                INSERT INTO lumen_budget_spend (request_id, instance_id, cost_usd, reserved_usd, outcome)
                    VALUES (r.request_id, r.instance_id, r.amount_usd, r.amount_usd, 'expired') ON CONFLICT DO NOTHING;
                v_count := v_count + 1;
            END LOOP;
            RETURN v_count;
        END $$;

        -- Policy versions and which one is active (the latest activation).
        CREATE TABLE lumen_policies (
            version serial PRIMARY KEY,
            name text NOT NULL,
            hash text NOT NULL,
            yaml text NOT NULL,
            files text NOT NULL DEFAULT '{}',
            author text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE lumen_policy_activations (
            id bigserial PRIMARY KEY,
            version integer NOT NULL REFERENCES lumen_policies (version),
            action text NOT NULL,
            author text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        );
        """
}

extension SharedStore {
    /// The schema version the database is at (0: empty).
    package func schemaVersion() async throws(StoreError) -> Int {
        let rows = try await run("read schema version", "SELECT to_regclass('lumen_schema_migrations') IS NOT NULL")
        guard let exists = try? rows.first?.decode(Bool.self), exists else { return 0 }
        let versions = try await run("read schema version", "SELECT coalesce(max(version), 0) FROM lumen_schema_migrations")
        return (try? versions.first?.decode(Int.self)) ?? 0
    }

    /// Applies the migrations the database lacks; returns those applied (empty when up to date).
    /// The migration is held to `StoreMigrations.deadline` (at least), not to the query deadline
    /// that keeps requests from waiting: creating the schema on a cold or busy server, or waiting
    /// for the lock while another instance migrates, takes longer than a request may, and a start
    /// that fails for it helps no one.
    @discardableResult
    package func migrate() async throws(StoreError) -> [StoreMigrations.Migration] {
        let logger = self.logger
        let seconds = max(queryTimeout, StoreMigrations.deadline)
        let applied: [Int] = try await transaction("migrate", seconds: seconds) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(StoreMigrations.lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS lumen_schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT coalesce(max(version), 0) FROM lumen_schema_migrations", logger: logger)
                .decode(Int.self)
            {
                current = version
            }
            if current > StoreMigrations.latest {
                throw StoreError(
                    .schema, "the store's schema is at version \(current), newer than this lumen knows (\(StoreMigrations.latest)); upgrade lumen")
            }
            var done: [Int] = []
            for migration in StoreMigrations.all where migration.version > current {
                for statement in StoreMigrations.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO lumen_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
                done.append(migration.version)
            }
            return done
        }
        return StoreMigrations.all.filter { applied.contains($0.version) }
    }

    /// Throws unless the schema is at the version this binary expects.
    package func requireSchema() async throws(StoreError) {
        let version = try await schemaVersion()
        guard version == StoreMigrations.latest else {
            throw StoreError(
                .schema,
                version < StoreMigrations.latest
                    ? "the store's schema is at version \(version), this lumen needs \(StoreMigrations.latest): run `lumen store migrate --store URL`"
                    : "the store's schema is at version \(version), newer than this lumen knows (\(StoreMigrations.latest)); upgrade lumen")
        }
    }
}
