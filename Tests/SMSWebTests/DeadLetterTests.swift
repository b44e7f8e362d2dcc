import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Dead letters in process (``DeadLetterPolicy``; the SIGKILL versions are in
/// `DispatchStepCrashTests`): a claim found after a crash a second time, a recorded answer whose
/// derived work never finished, derived work that throws every time, the campaign pause rule.
@Suite("Dead letters: a crash never becomes a send loop")
struct DeadLetterTests {
    @Test("a claim found after a crash is sent alone; found a 2nd time, it is dead-lettered, never sent a 3rd time; 3 in a row pause the campaign", arguments: StoreKind.allCases)
    func repeatedClaimCrash(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = ["u0", "u1", "u2"]
        try await f.published("c1", users: users, batch: 4)
        // The first process claims all 3 and dies; the next one queues them again (1 provider call < 2).
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "dead-1", now: f.clock.now, cap: nil).messages.count == 3)
        #expect(try await f.store.recoverClaims(policy: .standard, now: f.clock.now) == ClaimRecovery(released: 3, deadLettered: 0))
        // Each next process claims one suspect alone (SuspectClaim): another request finds it in
        // flight and nothing fresh, so it is told to wait (busy), not that the campaign is done.
        // The process dies with it in flight: 2 provider calls, dead-lettered at the next start.
        for (round, user) in users.enumerated() {
            let claim = try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "dead-\(round + 2)", now: f.clock.now, cap: nil)
            #expect(claim.messages.map(\.userId) == [user])
            let other = try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "other-\(round)", now: f.clock.now, cap: nil)
            // Busy while other suspects wait behind it; after the last one, simply nothing left.
            #expect(other.messages.isEmpty && other.busy == (round < 2))
            #expect(try await f.store.recoverClaims(policy: .standard, now: f.clock.now) == ClaimRecovery(released: 0, deadLettered: 1))
            #expect(try await f.store.campaign(id: "c1")?.status == (round < 2 ? .sending : .paused))
        }
        let gateway = FakeGateway()
        let d = f.dispatcher(gateway)
        let letters = try await f.store.deadLetters(campaignId: "c1", limit: 10)
        #expect(letters.map(\.userId) == users)
        #expect(letters.allSatisfy { $0.error == "repeated crash during dispatch (2 provider calls, outcome unknown)" && $0.sendAttempts == 2 && $0.providerAnswer == nil })
        #expect(try await f.store.deadLetterCount(campaignId: "c1") == 3)
        let paused = try #require(try await f.store.campaign(id: "c1"))
        #expect(paused.status == .paused)
        #expect(paused.pausedReason == "paused after 3 consecutive dead-lettered messages; last error: repeated crash during dispatch (2 provider calls, outcome unknown)")
        #expect(paused.pausedAt == f.clock.now)
        // Dead letters are never claimed again; resumed, the campaign completes without them.
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "x", now: f.clock.now, cap: nil).messages.isEmpty)
        #expect(try await f.store.transitionCampaign(id: "c1", from: [.paused], to: .sending, publishedAt: nil))
        #expect(try await f.store.campaign(id: "c1")?.pausedReason == nil)
        #expect(try await d.runOnce() == 0)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
        #expect(await gateway.sent.isEmpty)
    }

    @Test("two crashes in a row: one message dead-lettered, not the batches; the suspects go alone, the campaign completes", arguments: StoreKind.allCases)
    func twoCrashesInARow(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = (0..<10).map { "u\($0)" }
        try await f.published("c1", users: users, batch: 4)
        // The first process has 2 requests in flight (8 messages) and dies.
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "a-1", now: f.clock.now, cap: nil).messages.map(\.userId) == ["u0", "u1", "u2", "u3"])
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "a-2", now: f.clock.now, cap: nil).messages.map(\.userId) == ["u4", "u5", "u6", "u7"])
        #expect(try await f.store.recoverClaims(policy: .standard, now: f.clock.now) == ClaimRecovery(released: 8, deadLettered: 0))
        // The restarted one: the first suspect alone, then fresh messages beside it, then "busy".
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "b-1", now: f.clock.now, cap: nil).messages.map(\.userId) == ["u0"])
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "b-2", now: f.clock.now, cap: nil).messages.map(\.userId) == ["u8", "u9"])
        let busy = try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "b-3", now: f.clock.now, cap: nil)
        #expect(busy.messages.isEmpty && busy.busy)
        // It dies too: only u0 had 2 provider calls.
        #expect(try await f.store.recoverClaims(policy: .standard, now: f.clock.now) == ClaimRecovery(released: 2, deadLettered: 1))
        #expect(try await f.store.campaign(id: "c1")?.status == .sending)
        // The third one sends the 9 others, each alone (all are suspects now), and completes.
        let gateway = FakeGateway()
        #expect(try await f.dispatcher(gateway).runOnce() == 9)
        #expect(await gateway.calls == 9)
        let sent = await gateway.sent
        #expect(Set(sent).count == 9)
        #expect(try await f.store.deadLetters(campaignId: "c1", limit: 10).map(\.userId) == ["u0"])
        #expect(try await f.total("c1", .sent) == 9)
        // The dead letter never got an answer: it stays queued in the stats (listed by dead-letters).
        #expect(try await f.total("c1", .queued) == 1)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
        #expect(try await f.testStore.int("SELECT consecutive_dead_letters FROM campaigns WHERE id = 'c1'") == 0)
    }

    @Test("the suspect facts every claim reads come from the small messages_suspects index, not the campaign's queue", arguments: StoreKind.allCases)
    func suspectFactsUseTheirIndex(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = (0..<2_000).map { "u\($0)" }
        try await f.published("c1", users: users, batch: 100)
        // SQLite's store names the index (INDEXED BY: an error if the query's terms cannot use it).
        let table = kind == .sqlite ? "messages INDEXED BY messages_suspects" : "messages"
        let queued = "SELECT 1 FROM \(table) WHERE campaign_id = 'c1' AND dispatch = 'queued' AND dispatch_attempts > 0 AND send_attempt IS NULL"
        let inFlight = "SELECT 1 FROM \(table) WHERE campaign_id = 'c1' AND dispatch = 'queued' AND dispatch_attempts > 0 AND dispatch_attempts >= 2 AND send_attempt IS NOT NULL"
        for sql in [queued, inFlight] {
            let plan: String
            switch kind {
            case .sqlite:
                plan = try await f.testStore.query("EXPLAIN QUERY PLAN " + sql).compactMap { $0["detail"]?.text }.joined(separator: " | ")
            case .postgres:
                try await f.testStore.query("ANALYZE messages")
                plan = try await f.testStore.query("EXPLAIN " + sql).compactMap { $0["QUERY PLAN"]?.text }.joined(separator: " | ")
            }
            #expect(plan.contains("messages_suspects"), "\(plan)")
        }
    }

    @Test("an answer recorded before a crash is finished by the next pass and never sent again", arguments: StoreKind.allCases)
    func answerRecordedBeforeCrash(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        try await f.published("c1", users: ["u0", "u1"], batch: 4)
        let claim = try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "dead-1", now: f.clock.now, cap: nil)
        // The dead process committed the provider's answers (its first transaction) and died before the derived work.
        for (i, m) in claim.messages.enumerated() {
            try await f.testStore.query(
                """
                UPDATE messages SET send_attempt = NULL, answer_outcome = ?, answer_at = ?, answer_reason = ?, answer_attempts = 1,
                  provider_message_id = ? WHERE id = ?
                """,
                [i == 0 ? "sent" : "failed", .int(f.clock.now - 5), i == 0 ? nil : "HTTP 400", i == 0 ? "P-1" : nil, .int(m.messageId)])
        }
        let gateway = FakeGateway()
        let d = f.dispatcher(gateway)
        #expect(try await d.runOnce() == 0)
        #expect(await gateway.sent.isEmpty)
        #expect(try await f.total("c1", .sent) == 1)
        #expect(try await f.total("c1", .dispatchErrors) == 1)
        #expect(try await f.total("c1", .queued) == 0)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
        let left = try await f.testStore.int("SELECT COUNT(*) FROM messages WHERE answer_outcome IS NOT NULL")
        #expect(left == 0)
        #expect(try await f.testStore.query("SELECT dispatched_at, provider_message_id FROM messages WHERE user_id = 'u0'").first
            == ["dispatched_at": .int(f.clock.now - 5), "provider_message_id": "P-1"])
    }

    @Test("answers whose derived work used 3 attempts are dead-lettered with the last error; the next one resets the run", arguments: StoreKind.allCases)
    func answerAttemptsExhausted(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = ["u0", "u1", "u2", "u3"]
        try await f.published("c1", users: users, batch: 10)
        _ = try await f.store.claimMessages(campaignId: "c1", limit: 10, attempt: "dead-1", now: f.clock.now, cap: nil)
        for (i, u) in users.enumerated() {
            try await f.testStore.query(
                """
                UPDATE messages SET send_attempt = NULL, answer_outcome = 'sent', answer_at = ?, answer_attempts = ?, answer_error = ?
                WHERE user_id = ?
                """,
                [.int(f.clock.now), .int(i < 3 ? 3 : 2), i == 1 ? "arithmetic overflow" : nil, .text(u)])
        }
        let gateway = FakeGateway()
        let d = f.dispatcher(gateway)
        #expect(try await d.retryRecordedAnswers() == AnswerRetry(applied: 1, failed: 0, deadLettered: 3))
        let letters = try await f.store.deadLetters(campaignId: "c1", limit: 10)
        #expect(letters.map(\.error) == [
            "repeated crash while recording the provider's answer (3 attempts)",
            "recording the provider's answer failed 3 times: arithmetic overflow",
            "repeated crash while recording the provider's answer (3 attempts)",
        ])
        #expect(letters.allSatisfy { $0.providerAnswer == "sent" })
        #expect(try await f.store.campaign(id: "c1")?.status == .paused)
        #expect(try await f.total("c1", .sent) == 1)
        #expect(try await f.testStore.int("SELECT consecutive_dead_letters FROM campaigns WHERE id = 'c1'") == 0)
        #expect(try await d.runOnce() == 0)
        #expect(await gateway.sent.isEmpty)
    }

    @Test("derived work that throws every time: sent once, the others go on, dead-lettered after 3 attempts with the error", arguments: StoreKind.allCases)
    func derivedWorkThrows(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = ["u0", "u1", "u2"]
        try await f.published("c1", users: users, batch: 1, concurrency: 1)
        // A database trigger makes recording u1's send fail inside the derived work.
        switch kind {
        case .sqlite:
            try await f.testStore.query("""
                CREATE TRIGGER poison BEFORE UPDATE OF dispatch ON messages WHEN NEW.user_id = 'u1' AND NEW.dispatch = 'sent'
                BEGIN SELECT RAISE(ABORT, 'poisoned derived work'); END
                """)
        case .postgres:
            try await f.testStore.query("""
                CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
                  IF NEW.user_id = 'u1' AND NEW.dispatch = 'sent' THEN RAISE EXCEPTION 'poisoned derived work'; END IF;
                  RETURN NEW; END $$ LANGUAGE plpgsql
                """)
            try await f.testStore.query("CREATE TRIGGER poison BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION poison()")
        }
        let gateway = FakeGateway()
        let d = f.dispatcher(gateway)
        #expect(try await d.runOnce() == 3)
        #expect(await gateway.sent.count == 3)
        #expect(try await f.total("c1", .sent) == 2)
        // Attempt 1 was the dispatcher's; the next passes make attempts 2 and 3, then dead-letter it.
        #expect(try await d.retryRecordedAnswers() == AnswerRetry(applied: 0, failed: 1, deadLettered: 0))
        #expect(try await d.retryRecordedAnswers() == AnswerRetry(applied: 0, failed: 1, deadLettered: 0))
        #expect(try await d.runOnce() == 0)
        let letters = try await f.store.deadLetters(campaignId: "c1", limit: 10)
        #expect(letters.count == 1)
        #expect(letters.first?.userId == "u1")
        #expect(letters.first?.providerAnswer == "sent")
        #expect(letters.first?.error.hasPrefix("recording the provider's answer failed 3 times: ") == true)
        #expect(letters.first?.error.contains("poisoned derived work") == true)
        #expect(Set(await gateway.sent).count == 3)
        #expect(await gateway.sent.count == 3)
        // One dead letter between successes: the campaign is not paused, and it completes.
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
    }
}
