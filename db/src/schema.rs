// @generated automatically by Diesel CLI.

diesel::table! {
    applied_commands (request_id) {
        request_id -> Uuid,
        status -> Int2,
        events -> Text,
        applied_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (at, request_id) {
        at -> Timestamptz,
        request_id -> Uuid,
        issued_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        operator -> Nullable<Text>,
        gateway_id -> Text,
        kind -> Text,
        subject -> Jsonb,
        status -> Int2,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Uuid,
        blocked_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    friendships (user_id, friend_id) {
        user_id -> Uuid,
        friend_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        room_id -> Uuid,
        inviter_id -> Uuid,
        invitee_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    memberships (room_id, user_id) {
        room_id -> Uuid,
        user_id -> Uuid,
        joined_at -> Timestamptz,
        last_read_seq -> Int8,
        muted -> Bool,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        room_id -> Uuid,
        seq -> Int8,
        author_id -> Nullable<Uuid>,
        body -> Text,
        client_id -> Nullable<Text>,
        created_at -> Timestamptz,
        edited_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        reply_to -> Nullable<Uuid>,
        mentions -> Array<Nullable<Uuid>>,
    }
}

diesel::table! {
    reactions (message_id, emoji, user_id) {
        message_id -> Uuid,
        emoji -> Text,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    rooms (id) {
        id -> Uuid,
        name -> Text,
        visibility -> Text,
        owner_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_seq -> Int8,
    }
}

diesel::table! {
    saved_messages (user_id, message_id) {
        user_id -> Uuid,
        message_id -> Uuid,
        saved_at -> Timestamptz,
    }
}

diesel::table! {
    search_messages (message_id) {
        message_id -> Uuid,
        room_id -> Uuid,
        author_id -> Nullable<Uuid>,
        folded -> Text,
        grams -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Text,
        created_at -> Timestamptz,
        user_agent -> Text,
        last_seen_at -> Timestamptz,
    }
}

diesel::table! {
    suspensions (user_id) {
        user_id -> Uuid,
        operator -> Text,
        reason -> Text,
        suspended_at -> Timestamptz,
    }
}

diesel::table! {
    user_settings (user_id) {
        user_id -> Uuid,
        share_read_receipts -> Bool,
        share_presence -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        username_key -> Nullable<Text>,
        display_name -> Text,
        status_message -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        username_skeleton -> Nullable<Text>,
    }
}

diesel::joinable!(invitations -> rooms (room_id));
diesel::joinable!(memberships -> rooms (room_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(messages -> rooms (room_id));
diesel::joinable!(messages -> users (author_id));
diesel::joinable!(reactions -> messages (message_id));
diesel::joinable!(reactions -> users (user_id));
diesel::joinable!(rooms -> users (owner_id));
diesel::joinable!(saved_messages -> messages (message_id));
diesel::joinable!(saved_messages -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(suspensions -> users (user_id));
diesel::joinable!(user_settings -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    applied_commands,
    audit_log,
    blocks,
    friendships,
    invitations,
    memberships,
    messages,
    reactions,
    rooms,
    saved_messages,
    search_messages,
    sessions,
    suspensions,
    user_settings,
    users,
);
