-- A post's admission in one round trip (lib/reply/post-admission.ts,
-- docs/ARCHITECTURE.md): the rules of docs/PROTOCOL.md §3.2 and §3.6 checked
-- and the exchange written in one call, which also returns what the reply's
-- generation starts from (its history and the owner's settings). Each statement of a PL/pgSQL function
-- reads with a fresh snapshot, so the checks see what committed before the
-- owner's row lock was granted, as the transaction they replace did. The
-- rules' constants (the generating statuses, the default title, the id
-- block, the keys' lifetime) come in as arguments from lib/reply.
CREATE FUNCTION "tether_admit_post"(
    p_user UUID,
    p_conversation UUID,
    p_content TEXT,
    p_user_parts JSONB,
    p_title TEXT,
    p_default_title TEXT,
    p_generating TEXT[],
    p_max_active INTEGER,
    p_seq_ceiling INTEGER,
    p_now TIMESTAMP(3),
    p_key TEXT,
    p_fingerprint TEXT,
    p_key_cutoff TIMESTAMP(3)
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_owner UUID;
    v_merged UUID;
    v_conv "Conversation"%ROWTYPE;
    v_key "IdempotencyKey"%ROWTYPE;
    v_here INTEGER;
    v_total INTEGER;
    v_parent UUID;
    v_title TEXT;
    v_user "Message"%ROWTYPE;
    v_reply "Message"%ROWTYPE;
    v_history JSONB;
    v_settings JSONB;
BEGIN
    -- The session user's row, then the account's when the guest moved into one (lib/auth/data-owner.ts).
    SELECT id, "mergedIntoId" INTO v_owner, v_merged FROM "User" WHERE id = p_user FOR UPDATE;
    IF v_owner IS NULL THEN
        RETURN jsonb_build_object('refused', 'unauthorized');
    END IF;
    IF v_merged IS NOT NULL THEN
        SELECT id INTO v_owner FROM "User" WHERE id = v_merged FOR UPDATE;
        IF v_owner IS NULL THEN
            RETURN jsonb_build_object('refused', 'unauthorized');
        END IF;
    END IF;

    IF p_key IS NOT NULL THEN
        SELECT * INTO v_key FROM "IdempotencyKey" WHERE "userId" = v_owner AND "key" = p_key AND "createdAt" > p_key_cutoff;
        IF FOUND THEN
            IF v_key."fingerprint" <> p_fingerprint THEN
                RETURN jsonb_build_object('refused', 'idempotency_mismatch', 'ownerId', v_owner);
            END IF;
            RETURN jsonb_build_object('ownerId', v_owner, 'prior', jsonb_build_object('replyId', v_key."replyId", 'userMessageId', v_key."userMessageId"));
        END IF;
    END IF;

    SELECT * INTO v_conv FROM "Conversation" WHERE id = p_conversation AND "userId" = v_owner;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('refused', 'not_found', 'ownerId', v_owner);
    END IF;

    SELECT count(*) FILTER (WHERE m."conversationId" = p_conversation), count(*) INTO v_here, v_total
    FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
    WHERE c."userId" = v_owner AND m.role = 'assistant' AND m.status = ANY (p_generating::"MessageStatus"[]);
    IF v_here > 0 THEN
        RETURN jsonb_build_object('refused', 'generation_in_progress', 'ownerId', v_owner);
    END IF;
    IF v_total >= p_max_active THEN
        RETURN jsonb_build_object('refused', 'too_many_generations', 'ownerId', v_owner);
    END IF;

    -- The new message follows the path the conversation shows (lib/chat/message-tree.ts, currentLeaf).
    v_parent := v_conv."currentLeafId";
    IF v_parent IS NULL THEN
        SELECT id INTO v_parent FROM "Message" WHERE "conversationId" = p_conversation ORDER BY "createdAt" DESC, id DESC LIMIT 1;
    END IF;
    IF v_parent IS NULL AND v_conv.title = p_default_title AND NOT v_conv."titleLocked" THEN
        v_title := p_title;
    END IF;

    -- The user's message, and the pending reply 1 ms younger with its first block of ids (lib/reply/lifecycle.ts).
    INSERT INTO "Message" (id, "conversationId", "parentId", role, content, parts, status, "createdAt", "updatedAt")
    VALUES (gen_random_uuid(), p_conversation, v_parent, 'user', p_content, p_user_parts, 'complete', p_now, p_now)
    RETURNING * INTO v_user;
    INSERT INTO "Message" (id, "conversationId", "parentId", role, content, parts, status, "seqCeiling", "createdAt", "updatedAt")
    VALUES (gen_random_uuid(), p_conversation, v_user.id, 'assistant', '', '[]', 'pending', p_seq_ceiling, p_now + interval '1 millisecond', p_now + interval '1 millisecond')
    RETURNING * INTO v_reply;
    UPDATE "Conversation" SET "currentLeafId" = v_reply.id, "updatedAt" = p_now + interval '1 millisecond', title = COALESCE(v_title, title)
    WHERE id = p_conversation;

    IF p_key IS NOT NULL THEN
        -- An expired record of the same key gives way (lib/reply/idempotency.ts).
        DELETE FROM "IdempotencyKey" WHERE "userId" = v_owner AND "key" = p_key;
        INSERT INTO "IdempotencyKey" ("userId", "key", "fingerprint", "replyId", "userMessageId", "createdAt")
        VALUES (v_owner, p_key, p_fingerprint, v_reply.id, v_user.id, p_now);
    END IF;

    -- The messages before the new one, oldest first (lib/chat/message-tree.ts, pathTo), and the owner's settings.
    WITH RECURSIVE ancestors AS (
        SELECT m.*, 0 AS depth FROM "Message" m WHERE m.id = v_parent
        UNION ALL
        SELECT m.*, a.depth + 1 FROM "Message" m JOIN ancestors a ON m.id = a."parentId"
    ) CYCLE id SET looped USING trail
    SELECT coalesce(jsonb_agg(to_jsonb(a) - 'searchVector' - 'depth' - 'looped' - 'trail' ORDER BY a.depth DESC), '[]'::jsonb)
    INTO v_history FROM ancestors a WHERE NOT a.looped;
    SELECT jsonb_build_object('defaultModel', s."defaultModel", 'instructions', s.instructions) INTO v_settings
    FROM "UserSettings" s WHERE s."userId" = v_owner;

    RETURN jsonb_build_object(
        'ownerId', v_owner,
        'history', v_history,
        'settings', v_settings,
        'title', v_title,
        'model', v_conv.model,
        'systemPrompt', v_conv."systemPrompt",
        'userRow', to_jsonb(v_user) - 'searchVector',
        'replyRow', to_jsonb(v_reply) - 'searchVector'
    );
END
$$;
