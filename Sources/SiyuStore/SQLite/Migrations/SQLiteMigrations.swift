import Foundation
import GRDB

/// The SQLite schema, one registered migration per version; a store applies the ones it lacks when it opens.
extension AppDatabase {
    /// Migrations, in order. Never edit one that has landed; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE workspaces (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        time_zone TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        salt TEXT NOT NULL,
                        settings TEXT NOT NULL DEFAULT '{}',
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE write_keys (
                        key TEXT PRIMARY KEY,
                        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE admin_tokens (
                        id INTEGER PRIMARY KEY,
                        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                        name TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE channels (
                        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                        key TEXT NOT NULL,
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        tracking_codes TEXT NOT NULL DEFAULT '[]',
                        monthly_cost_minor INTEGER,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (workspace_id, key)
                    );
                    CREATE TABLE persons (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        canonical_id INTEGER NOT NULL,
                        merged_into INTEGER,
                        created_at INTEGER NOT NULL,
                        user_id TEXT,
                        first_seen INTEGER,
                        last_seen INTEGER,
                        first_channel TEXT,
                        last_channel TEXT,
                        event_count INTEGER NOT NULL DEFAULT 0,
                        order_count INTEGER NOT NULL DEFAULT 0,
                        revenue_minor INTEGER NOT NULL DEFAULT 0,
                        traits TEXT NOT NULL DEFAULT '{}',
                        trait_times TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE INDEX persons_canonical ON persons(workspace_id, canonical_id);
                    CREATE INDEX persons_last_seen ON persons(workspace_id, last_seen);
                    CREATE TABLE identities (
                        workspace_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        value TEXT NOT NULL,
                        person_id INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (workspace_id, kind, value)
                    ) WITHOUT ROWID;
                    CREATE INDEX identities_person ON identities(person_id);
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        message_id TEXT NOT NULL,
                        type INTEGER NOT NULL,
                        event TEXT,
                        person_id INTEGER NOT NULL,
                        user_id TEXT,
                        anonymous_id TEXT,
                        timestamp INTEGER NOT NULL,
                        received_at INTEGER NOT NULL,
                        original_timestamp INTEGER,
                        sent_at INTEGER,
                        channel TEXT NOT NULL,
                        revenue_minor INTEGER,
                        currency TEXT,
                        flags INTEGER NOT NULL DEFAULT 0,
                        properties TEXT NOT NULL,
                        traits TEXT,
                        context TEXT NOT NULL,
                        extra TEXT
                    );
                    CREATE UNIQUE INDEX events_message ON events(workspace_id, message_id);
                    CREATE INDEX events_time ON events(workspace_id, timestamp);
                    CREATE INDEX events_person ON events(person_id, timestamp);
                    CREATE TABLE person_tags (
                        workspace_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        tag TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (person_id, tag)
                    ) WITHOUT ROWID;
                    CREATE INDEX person_tags_tag ON person_tags(workspace_id, tag);
                    CREATE TABLE merges (
                        id INTEGER PRIMARY KEY,
                        workspace_id INTEGER NOT NULL,
                        survivor_id INTEGER NOT NULL,
                        loser_id INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        message_id TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        identity_kind TEXT NOT NULL,
                        identity_value TEXT NOT NULL,
                        undone_at INTEGER
                    );
                    CREATE INDEX merges_workspace ON merges(workspace_id, id);
                    CREATE TABLE merge_conflicts (
                        id INTEGER PRIMARY KEY,
                        workspace_id INTEGER NOT NULL,
                        kept_person_id INTEGER NOT NULL,
                        other_person_id INTEGER NOT NULL,
                        identity_kind TEXT NOT NULL,
                        identity_value TEXT NOT NULL,
                        message_id TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        occurrences INTEGER NOT NULL DEFAULT 1,
                        last_at INTEGER NOT NULL
                    );
                    CREATE INDEX merge_conflicts_workspace ON merge_conflicts(workspace_id, id);
                    CREATE UNIQUE INDEX merge_conflicts_pair
                        ON merge_conflicts(workspace_id, kept_person_id, other_person_id, identity_kind, identity_value);
                    CREATE TABLE workspace_state (
                        workspace_id INTEGER PRIMARY KEY,
                        event_seq INTEGER NOT NULL DEFAULT 0,
                        people_version INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE erasures (
                        id INTEGER PRIMARY KEY,
                        workspace_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        people INTEGER NOT NULL,
                        identities INTEGER NOT NULL,
                        events INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-segments-labels") { db in
            try db.execute(
                sql: """
                    CREATE TABLE segments (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        description TEXT NOT NULL DEFAULT '',
                        kind TEXT NOT NULL,
                        rule TEXT,
                        refresh_minutes INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        refreshed_at INTEGER,
                        size INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE UNIQUE INDEX segments_name ON segments(workspace_id, name);
                    CREATE TABLE segment_members (
                        workspace_id INTEGER NOT NULL,
                        segment_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        PRIMARY KEY (segment_id, person_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX segment_members_person ON segment_members(workspace_id, person_id);
                    CREATE TABLE segment_sizes (
                        workspace_id INTEGER NOT NULL,
                        segment_id INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        size INTEGER NOT NULL
                    );
                    CREATE INDEX segment_sizes_segment ON segment_sizes(segment_id, at);
                    CREATE TABLE person_labels (
                        workspace_id INTEGER NOT NULL,
                        scheme TEXT NOT NULL,
                        person_id INTEGER NOT NULL,
                        value TEXT NOT NULL,
                        since INTEGER NOT NULL,
                        PRIMARY KEY (workspace_id, scheme, person_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX person_labels_person ON person_labels(workspace_id, person_id);
                    CREATE TABLE label_changes (
                        id INTEGER PRIMARY KEY,
                        workspace_id INTEGER NOT NULL,
                        scheme TEXT NOT NULL,
                        person_id INTEGER NOT NULL,
                        from_value TEXT,
                        to_value TEXT,
                        at INTEGER NOT NULL
                    );
                    CREATE INDEX label_changes_scheme ON label_changes(workspace_id, scheme, at);
                    """
            )
        }
        migrator.registerMigration("v3-value") { db in
            try db.execute(
                sql: """
                    CREATE TABLE person_attributes (
                        workspace_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        person_id INTEGER NOT NULL,
                        value REAL NOT NULL,
                        PRIMARY KEY (workspace_id, name, person_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX person_attributes_person ON person_attributes(workspace_id, person_id);
                    CREATE TABLE value_fits (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        model TEXT NOT NULL,
                        fitted_at INTEGER NOT NULL,
                        cutoff INTEGER NOT NULL,
                        customers INTEGER NOT NULL,
                        report TEXT NOT NULL
                    );
                    CREATE INDEX value_fits_workspace ON value_fits(workspace_id, id);
                    ALTER TABLE workspace_state ADD COLUMN labels_version INTEGER NOT NULL DEFAULT 0;
                    """
            )
        }
        migrator.registerMigration("v4-console-users") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY,
                        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                        email TEXT NOT NULL,
                        display_name TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'operator', 'viewer')),
                        locale TEXT,
                        created_at INTEGER NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0,
                        UNIQUE (workspace_id, email)
                    );
                    CREATE INDEX users_email ON users(email);
                    CREATE TABLE console_sessions (
                        token_hash TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                        csrf_token TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL
                    );
                    CREATE INDEX console_sessions_user ON console_sessions(user_id);
                    CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);
                    """
            )
        }
        migrator.registerMigration("v5-clamp-revenue") { db in
            // Profiles written before amounts were bounded may hold a revenue beyond ±10¹⁷, even a
            // REAL after an integer overflow: clamp them so that every later read and sum is safe.
            try db.execute(
                sql: """
                    UPDATE persons SET revenue_minor = CASE
                            WHEN revenue_minor > 100000000000000000 THEN 100000000000000000
                            WHEN revenue_minor < -100000000000000000 THEN -100000000000000000
                            ELSE CAST(revenue_minor AS INTEGER) END
                        WHERE typeof(revenue_minor) != 'integer'
                            OR revenue_minor > 100000000000000000 OR revenue_minor < -100000000000000000;
                    """
            )
        }
        migrator.registerMigration("v6-suppressions") { db in
            // Hashes of the message ids and identities of erased people (``Suppression``).
            try db.execute(
                sql: """
                    CREATE TABLE suppressions (
                        workspace_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (workspace_id, kind, hash)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v7-people-changes") { db in
            // Each person row carries the people version that last changed it, so that analytics
            // caches reload only those; a change they cannot follow bumps `rebuild_version`.
            try db.execute(
                sql: """
                    ALTER TABLE persons ADD COLUMN changed_version INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX persons_changed ON persons(workspace_id, changed_version);
                    ALTER TABLE workspace_state ADD COLUMN rebuild_version INTEGER NOT NULL DEFAULT 0;
                    """
            )
        }
        migrator.registerMigration("v8-journeys") { db in
            // Journeys, the people inside them (found by due time through a partial index, never by
            // scanning), per-node counts, and the outbox of side effects (each key once per workspace).
            try db.execute(
                sql: """
                    CREATE TABLE journeys (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        status TEXT NOT NULL,
                        draft TEXT NOT NULL,
                        version INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (workspace_id, name)
                    );
                    CREATE TABLE journey_versions (
                        journey_id INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        definition TEXT NOT NULL,
                        published_at INTEGER NOT NULL,
                        PRIMARY KEY (journey_id, version)
                    ) WITHOUT ROWID;
                    CREATE TABLE journey_instances (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        journey_id INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        entry_key TEXT NOT NULL,
                        node TEXT NOT NULL,
                        state TEXT NOT NULL,
                        due_at INTEGER,
                        wait_key TEXT,
                        step INTEGER NOT NULL DEFAULT 0,
                        entered_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        exited_at INTEGER,
                        goal_at INTEGER,
                        UNIQUE (journey_id, entry_key)
                    );
                    CREATE INDEX journey_instances_due ON journey_instances(due_at) WHERE due_at IS NOT NULL;
                    CREATE INDEX journey_instances_person ON journey_instances(workspace_id, person_id, journey_id);
                    CREATE TABLE journey_node_counts (
                        journey_id INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        node TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (journey_id, version, node, outcome)
                    ) WITHOUT ROWID;
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        status TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        due_at INTEGER NOT NULL,
                        last_error TEXT,
                        response TEXT,
                        journey_id INTEGER,
                        person_id INTEGER,
                        created_at INTEGER NOT NULL,
                        delivered_at INTEGER,
                        UNIQUE (workspace_id, key)
                    );
                    CREATE INDEX outbox_due ON outbox(due_at) WHERE status IN ('pending', 'sending');
                    CREATE INDEX outbox_workspace ON outbox(workspace_id, id);
                    CREATE INDEX outbox_created ON outbox(workspace_id, created_at);
                    CREATE TABLE journey_cursors (
                        workspace_id INTEGER PRIMARY KEY,
                        seq INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v9-messaging") { db in
            // Templates, subscription groups and people's choices; the event that started an
            // instance (for its messages' variables); delivered messages by person and channel for caps.
            try db.execute(
                sql: """
                    CREATE TABLE message_templates (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        group_id INTEGER,
                        transactional INTEGER NOT NULL DEFAULT 0,
                        variants TEXT NOT NULL,
                        default_language TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (workspace_id, name)
                    );
                    CREATE TABLE subscription_groups (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        opt_in INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        UNIQUE (workspace_id, name)
                    );
                    CREATE TABLE subscriptions (
                        workspace_id INTEGER NOT NULL,
                        group_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        subscribed INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (group_id, person_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX subscriptions_person ON subscriptions(workspace_id, person_id);
                    CREATE TABLE contacts (
                        workspace_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        sealed TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (workspace_id, person_id, kind)
                    ) WITHOUT ROWID;
                    ALTER TABLE journey_instances ADD COLUMN entry_event TEXT;
                    CREATE INDEX outbox_delivered ON outbox(person_id, channel, delivered_at) WHERE status = 'delivered';
                    """
            )
        }
        migrator.registerMigration("v9-staff-tasks") { db in
            // Staff tasks journeys hand out, one per outbox row (its key), confirmed in the console or the admin API.
            try db.execute(
                sql: """
                    CREATE TABLE staff_tasks (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id INTEGER NOT NULL,
                        outbox_key TEXT NOT NULL,
                        person_id INTEGER,
                        journey_id INTEGER,
                        title TEXT NOT NULL,
                        assignee TEXT,
                        due_at INTEGER,
                        status TEXT NOT NULL,
                        confirmed_by TEXT,
                        confirmed_at INTEGER,
                        note TEXT,
                        created_at INTEGER NOT NULL,
                        UNIQUE (workspace_id, outbox_key)
                    );
                    CREATE INDEX staff_tasks_status ON staff_tasks(workspace_id, status, due_at);
                    """
            )
        }
        return migrator
    }
}
