//! When the Daily Digest goes out and how often: at each person's local hour in their
//! own time zone (across daylight-saving changes), and exactly once per person and
//! local date, with two runners at the same moment, a runner that died between claim
//! and send, and a relay that refused a message. "Now" is a parameter of the job, so
//! no test waits for a clock.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use socialgate::{
    Config,
    auth::Role::Advisor,
    domain::Network,
    jobs::{Job, Jobs},
    store::{Scope, digests::Claim},
};

use crate::{
    common::TestApp,
    db_test,
    digest::{broken, person, recipients, subscribe},
    smtp::{self, SmtpServer},
};

fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .single()
        .expect("a time")
}

async fn deliveries(
    app: &TestApp,
    user: socialgate::domain::UserId,
) -> Vec<entity::digest_delivery::Model> {
    entity::digest_delivery::Entity::find()
        .filter(entity::digest_delivery::Column::UserId.eq(user))
        .all(app.store.db())
        .await
        .expect("deliveries")
}

db_test!(
    digests_come_at_each_local_hour_across_daylight_saving,
    config = smtp::reserve,
    async |app: TestApp| {
        let smtp = SmtpServer::serve(&app.app.config);
        let t = "digest-zones";
        let mut people = Vec::new();
        for (sub, zone, hour) in [
            ("ny", "America/New_York", 8),
            ("berlin", "Europe/Berlin", 8),
            ("kolkata", "Asia/Kolkata", 9),
        ] {
            let who = person(&app, t, sub, &[Advisor], Some(&format!("{sub}@zones.test"))).await;
            broken(&app, &who, Network::Linkedin, &format!("{sub} profile")).await;
            subscribe(&app, &who, zone, hour).await;
            people.push(who);
        }
        let jobs = Jobs::new(app.app.clone());
        // New York moves to summer time on 8 March 2026, Berlin on 29 March; Kolkata
        // (UTC+5:30) never does.
        let steps: [(DateTime<Utc>, &[&str], &str); 10] = [
            (utc(3, 7, 12, 59), &["berlin", "kolkata"], "7 Mar 2026"),
            (utc(3, 7, 13, 0), &["ny"], "7 Mar 2026"), // 08:00 EST
            (utc(3, 8, 2, 59), &[], ""),               // Kolkata 08:29
            (utc(3, 8, 3, 30), &["kolkata"], "8 Mar 2026"),
            (utc(3, 8, 6, 59), &[], ""), // Berlin 07:59 CET
            (utc(3, 8, 7, 0), &["berlin"], "8 Mar 2026"),
            (utc(3, 8, 11, 59), &[], ""), // New York 07:59 EDT
            (utc(3, 8, 12, 0), &["ny"], "8 Mar 2026"), // 08:00 EDT, an hour earlier in UTC
            (utc(3, 29, 5, 59), &["kolkata"], "29 Mar 2026"), // Berlin 07:59 CEST
            (utc(3, 29, 6, 0), &["berlin"], "29 Mar 2026"), // 08:00 CEST
        ];
        let mut seen = 0;
        for (at, expected, date) in steps {
            let report = jobs.run_once_at(Job::Digest, at).await.expect("run");
            let mails = smtp.mails();
            let new = &mails[seen..];
            seen = mails.len();
            let mut want: Vec<String> =
                expected.iter().map(|s| format!("{s}@zones.test")).collect();
            want.sort();
            assert_eq!(recipients(new), want, "at {at}");
            assert_eq!(report.changed, expected.len(), "at {at}");
            for mail in new {
                let subject = mail.header("Subject").expect("subject");
                assert!(subject.contains(date), "at {at}: {subject}");
                let sent = DateTime::parse_from_rfc2822(&mail.header("Date").expect("date"))
                    .expect("date");
                assert_eq!(sent.timestamp(), at.timestamp());
            }
        }
        let ny = deliveries(&app, people[0].user_id).await;
        let mut dates: Vec<&str> = ny.iter().map(|d| d.digest_date.as_str()).collect();
        dates.sort();
        assert_eq!(dates, ["2026-03-07", "2026-03-08"]);
    }
);

db_test!(
    each_digest_goes_once_with_two_runners_a_crash_and_a_refusal,
    config = smtp::reserve,
    async |app: TestApp| {
        let smtp = SmtpServer::serve(&app.app.config);
        let t = "digest-once";
        let now = utc(6, 1, 9, 0);
        let mut people = Vec::new();
        for n in 0..6 {
            let sub = format!("p{n}");
            let who = person(&app, t, &sub, &[Advisor], Some(&format!("{sub}@once.test"))).await;
            broken(&app, &who, Network::Facebook, &format!("{sub} page")).await;
            people.push(who);
        }
        for who in &people[..4] {
            subscribe(&app, who, "UTC", 8).await;
        }

        // Two instances at the same moment: each of the four gets one mail.
        let (a, b) = (Jobs::new(app.app.clone()), Jobs::new(app.app.clone()));
        let (ra, rb) = tokio::join!(
            a.run_once_at(Job::Digest, now),
            b.run_once_at(Job::Digest, now)
        );
        let (ra, rb) = (ra.expect("a"), rb.expect("b"));
        assert_eq!(ra.changed + rb.changed, 4, "{ra:?} {rb:?}");
        assert_eq!(
            recipients(&smtp.mails()),
            [
                "p0@once.test",
                "p1@once.test",
                "p2@once.test",
                "p3@once.test"
            ]
        );

        // Claims themselves decide, lease or not: of two claims of one day made at the
        // same moment, one wins.
        let data = app.store.tenant(Scope::tenant(people[0].tenant_id));
        let until = now + Duration::minutes(5);
        let claim = |holder: &'static str| Claim {
            user_id: people[4].user_id,
            date: "2026-05-31",
            holder,
            now,
            until,
            id_domain: "socialgate.test",
        };
        let (first, second) = (claim("runner-1"), claim("runner-2"));
        let (c1, c2) = tokio::join!(data.claim_digest(&first), data.claim_digest(&second));
        let won = [c1.expect("claim 1"), c2.expect("claim 2")];
        assert_eq!(won.iter().filter(|c| c.is_some()).count(), 1, "{won:?}");

        // A runner claims p4's digest of today and dies before sending.
        subscribe(&app, &people[4], "UTC", 8).await;
        let crashed = Claim {
            user_id: people[4].user_id,
            date: "2026-06-01",
            holder: "crashed-runner",
            now,
            until,
            id_domain: "socialgate.test",
        };
        let left = data
            .claim_digest(&crashed)
            .await
            .expect("claim")
            .expect("claimed");
        // While the claim holds, nobody sends it; once it lapses, it goes out once.
        let jobs = Jobs::new(app.app.clone());
        let report = jobs
            .run_once_at(Job::Digest, now + Duration::minutes(1))
            .await
            .expect("run");
        assert_eq!(report.changed, 0);
        let report = jobs
            .run_once_at(Job::Digest, now + Duration::minutes(6))
            .await
            .expect("run");
        assert_eq!(report.changed, 1);
        let mails = smtp.mails();
        let p4: Vec<_> = mails.iter().filter(|m| m.to == ["p4@once.test"]).collect();
        assert_eq!(p4.len(), 1);
        assert_eq!(
            p4[0].header("Message-ID"),
            left.message_id.as_ref().map(|id| format!("<{id}>")),
            "a retry keeps the day's Message-ID"
        );
        let rows = deliveries(&app, people[4].user_id).await;
        let row = rows
            .iter()
            .find(|d| d.digest_date == "2026-06-01")
            .expect("today's");
        assert_eq!(
            (row.status, row.attempts, row.item_count),
            (entity::enums::DeliveryStatus::Sent, 2, 1)
        );

        // The relay refuses p5's mail: recorded, and sent on a later run that day.
        subscribe(&app, &people[5], "UTC", 8).await;
        smtp.refuse_next(1);
        let at = now + Duration::minutes(10);
        assert_eq!(
            jobs.run_once_at(Job::Digest, at)
                .await
                .expect("run")
                .changed,
            0
        );
        let row = &deliveries(&app, people[5].user_id).await[0];
        assert_eq!(row.status, entity::enums::DeliveryStatus::Failed);
        assert!(
            row.error
                .as_deref()
                .is_some_and(|e| e.contains("refused by policy")),
            "{row:?}"
        );
        let soon = at + Duration::minutes(1);
        assert_eq!(
            jobs.run_once_at(Job::Digest, soon)
                .await
                .expect("run")
                .changed,
            0
        );
        let later = at + Duration::minutes(6);
        assert_eq!(
            jobs.run_once_at(Job::Digest, later)
                .await
                .expect("run")
                .changed,
            1
        );
        let row = &deliveries(&app, people[5].user_id).await[0];
        assert_eq!(
            (row.status, row.attempts, row.error.clone()),
            (entity::enums::DeliveryStatus::Sent, 2, None)
        );
        // Six people, six mails, each once.
        let all = smtp.mails();
        assert_eq!(all.len(), 6);
        let mut to = recipients(&all);
        to.dedup();
        assert_eq!(to.len(), 6);
    }
);

db_test!(
    dev_mode_writes_the_digest_as_an_eml_file,
    config = |c: &mut Config| {
        c.dev = true;
        c.data_dir =
            std::env::temp_dir().join(format!("sg-digest-{}", uuid::Uuid::new_v4().simple()));
    },
    async |app: TestApp| {
        let who = person(&app, "digest-dev", "dev", &[Advisor], Some("dev@dev.test")).await;
        broken(&app, &who, Network::Instagram, "Dev Account").await;
        subscribe(&app, &who, "UTC", 0).await;
        let report = Jobs::new(app.app.clone())
            .run_once_at(Job::Digest, Utc::now())
            .await
            .expect("run");
        assert_eq!(report.changed, 1);
        let dir = app.app.config.data_dir.join("mail");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .expect("mail folder")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
        let text = std::fs::read_to_string(&files[0]).expect("eml");
        assert!(
            text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{text}"
        );
        assert!(text.contains("Dev Account"), "{text}");
        // Statuses in words, and a review link that leads to the console's view of the
        // account (no frontend is configured in dev mode).
        let plain = text.replace("=\r\n", "").replace("=3D", "=");
        assert!(
            plain.contains("(Expired)") && !plain.contains("(EXPIRED)"),
            "{plain}"
        );
        let start = plain
            .find("/console/?integration=")
            .expect("a console link");
        let link: String = plain[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"')
            .collect();
        let page = app
            .http
            .get(format!("{}{link}", app.base))
            .send()
            .await
            .expect("console");
        assert_eq!(page.status(), 200, "{link}");
        std::fs::remove_dir_all(&app.app.config.data_dir).ok();
    }
);
