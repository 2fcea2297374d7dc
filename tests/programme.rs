//! Who decides on certification is named by the programme — the body's own
//! signed record with its own genesis — never by the audit team: each
//! attack as a test, with real ed25519 keys made by `ssh-keygen`, real
//! databases in temp folders and batches forged with the attacker's own key.
//! The receiving copy keeps its decision as it was; the honest decision
//! maker's decision travels by bundle and by a real git remote.

mod common;

use common::keygen;

use cscaudit::app::App;
use cscaudit::bundle::{self, ExportOptions};
use cscaudit::crypto::sign::{SignedBatch, Signer};
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::{CertificateStatus, EngagementKind, Outcome, Role};
use cscaudit::model::ops::{Change, EntityId, Kind, Value};
use std::path::{Path, PathBuf};

const ENG: &str = "T1";
const PROG: &str = "P-BANK";

struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        World { dir }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn key(&self, who: &str) -> PathBuf {
        let p = self.path("keys").join(who);
        if !p.exists() {
            keygen(&self.path("keys"), who);
        }
        p
    }
    fn pubkey(&self, who: &str) -> String {
        std::fs::read_to_string(format!("{}.pub", self.key(who).display())).unwrap()
    }
    fn signer(&self, who: &str) -> Signer {
        Signer::load(&self.key(who)).unwrap()
    }
    fn open(&self, folder: &str, actor: &str, initials: &str) -> App {
        let mut app = App::open(&self.path(folder)).unwrap();
        app.set_identity(actor, actor, initials).unwrap();
        app.set_identity_key(Some(&self.key(actor))).unwrap();
        app
    }
}

fn export(app: &App, eng: &str, out: &Path) {
    bundle::export(app, eng, out, &ExportOptions::default()).unwrap();
}

fn set(field: &str, value: impl Into<Value>) -> Change {
    Change::Set {
        field: field.into(),
        value: value.into(),
    }
}

fn rule(r: Result<impl std::fmt::Debug, cscaudit::app::AppError>) -> String {
    r.unwrap_err().message().en
}

/// zhang.wei (lead) audits T1, a stage 2 of programme P-BANK, with li.min;
/// chen.bo of the body creates P-BANK (naming himself decision maker),
/// receives T1 and certifies. Returns with `lead.zip` (T1 before the
/// decision) and `decided.zip` (T1 with the decision and the programme).
fn world() -> World {
    let w = World::new();
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.create_engagement(
        cscaudit::app::NewEngagement {
            kind: EngagementKind::Stage2,
            ..common::new_engagement(ENG, "决定测试")
        },
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    zw.set_programme(ENG, PROG, None).unwrap();
    zw.add_member_keyed(
        ENG,
        "li.min",
        "李敏",
        "LM",
        Role::Auditor,
        Some("CCAA-2"),
        Some(&w.pubkey("li.min")),
    )
    .unwrap();
    export(&zw, ENG, &w.path("lead.zip"));
    std::fs::copy(w.path("lead.zip"), w.path("unbound.zip")).unwrap();
    drop(zw);
    let lm = w.open("lm", "li.min", "LM");
    assert!(bundle::import(&lm, &w.path("lead.zip")).unwrap().joined);
    drop(lm);
    // The body creates the programme and sends it; the lead binds T1 to it
    // (by its genesis) and sends T1 back.
    let cb = w.open("cb", "chen.bo", "CB");
    bundle::import(&cb, &w.path("lead.zip")).unwrap();
    cb.create_programme(PROG, "某银行客服中心认证", "某银行", true).unwrap();
    let err = rule(cb.decide(ENG, Outcome::Certify, Some("CSC-2026-001"), 3, ""));
    assert!(err.contains("not bound"), "{err}");
    export(&cb, ENG, &w.path("programme.zip"));
    drop(cb);
    let zw = w.open("zw", "zhang.wei", "ZW");
    bundle::import(&zw, &w.path("programme.zip")).unwrap();
    zw.set_programme(ENG, PROG, None).unwrap();
    export(&zw, ENG, &w.path("lead.zip"));
    drop(zw);
    let lm = w.open("lm", "li.min", "LM");
    bundle::import(&lm, &w.path("lead.zip")).unwrap();
    drop(lm);
    let cb = w.open("cb", "chen.bo", "CB");
    bundle::import(&cb, &w.path("lead.zip")).unwrap();
    export(&cb, ENG, &w.path("reviewable.zip"));
    cb.technical_review(ENG, "审核报告已评审").unwrap();
    cb.decide(ENG, Outcome::Certify, Some("CSC-2026-001"), 3, "审阅完毕")
        .unwrap();
    export(&cb, ENG, &w.path("decided.zip"));
    w
}

use common::files::Files;

impl Files {
    /// Append a batch of `scope` by `author`, signed with their key, now.
    fn forge(&mut self, scope: &str, author: &str, signer: &Signer, first: u64, changes: Vec<(EntityId, Change)>) {
        let now = jiff::Timestamp::now().as_millisecond() as u64;
        self.forge_in(scope, author, Some(signer), first, now, changes, None);
    }
}

/// The decision fields a forger writes: a certificate of their own.
fn forged_decision(by: &str) -> Vec<(EntityId, Change)> {
    let e = EntityId::new(Kind::Engagement, ENG);
    vec![
        (e.clone(), set("decision_outcome", "certify")),
        (e.clone(), set("decision_by", by)),
        (e.clone(), set("certificate_no", "FORGED-001")),
        (e.clone(), set("certificate_status", "valid")),
    ]
}

/// `folder` imports `zip`: whatever it says, its T1 decision stays as it
/// was, and a refusal naming `expect` is reported.
fn decision_unchanged(w: &World, folder: &str, zip: &Path, expect: &str) {
    let app = App::open(&w.path(folder)).unwrap();
    let before = app.engagement(ENG).unwrap();
    let said = match bundle::import(&app, zip) {
        Ok(r) => r
            .refused
            .iter()
            .map(|r| r.reason.en.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => e.message().en,
    };
    assert!(said.contains(expect), "expected {expect:?} in: {said}");
    let after = app.engagement(ENG).unwrap();
    assert_eq!(after.decision, before.decision, "{folder}: the decision changed");
    assert_eq!(
        after.certificate, before.certificate,
        "{folder}: the certificate changed"
    );
    let d = app.doctor(&mut |_, _| {}).unwrap();
    assert!(d.healthy() && d.unsigned == 0, "{d:?}");
}

#[test]
fn the_programmes_decision_maker_decides_and_the_decision_travels() {
    let w = world();
    // The lead and the auditor receive the decision and the programme.
    for (folder, actor, ini) in [("zw", "zhang.wei", "ZW"), ("lm", "li.min", "LM")] {
        let app = w.open(folder, actor, ini);
        let r = bundle::import(&app, &w.path("decided.zip")).unwrap();
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        let e = app.engagement(ENG).unwrap();
        let d = e.decision.expect("decided");
        assert_eq!((d.outcome, d.by.as_str()), (Outcome::Certify, "chen.bo"));
        assert_eq!(e.certificate.unwrap().number, "CSC-2026-001");
        let p = app.programme(PROG).unwrap();
        assert_eq!(p.creator.as_deref(), Some("chen.bo"));
        assert_eq!(p.engagements, [ENG]);
        assert_eq!(
            p.decision_makers().map(|m| m.actor.as_str()).collect::<Vec<_>>(),
            ["chen.bo"]
        );
        let d = app.doctor(&mut |_, _| {}).unwrap();
        assert!(d.healthy() && d.unsigned == 0, "{d:?}");
    }
    // The decision is a batch of the programme, not of the engagement.
    let mut f = Files::read(&w.path("decided.zip"));
    let by_cb: Vec<SignedBatch> = f.batches().into_iter().filter(|b| b.actor == "chen.bo").collect();
    assert!(
        !by_cb.is_empty() && by_cb.iter().all(|b| b.engagement == PROG),
        "{by_cb:?}"
    );
    // Anyone checks it with ssh-keygen: the programme's keys are in allowed_signers.
    let signers = String::from_utf8(f.get("signed/allowed_signers").clone()).unwrap();
    assert!(signers.lines().any(|l| l.starts_with("chen.bo ")), "{signers}");
    let dir = w.path("check");
    for (name, bytes) in &f.0 {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let out = std::process::Command::new("/bin/sh")
        .arg("verify.sh")
        .current_dir(&dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "verify.sh: {text}");
}

#[test]
fn the_audit_team_cannot_name_who_decides() {
    let w = world();
    let zw = w.open("zw", "zhang.wei", "ZW");
    // Locally: a decision maker on the team is refused; so is deciding, and
    // moving the engagement to a programme of one's own.
    let err = rule(zw.add_member_keyed(
        ENG,
        "crony",
        "Crony",
        "CR",
        Role::DecisionMaker,
        None,
        Some(&w.pubkey("crony")),
    ));
    assert!(err.contains("named by the engagement's programme"), "{err}");
    let err = rule(zw.decide(ENG, Outcome::Certify, Some("X-1"), 3, ""));
    assert!(err.contains("zhang.wei was on the audit team"), "{err}");
    zw.create_programme("P-MINE", "", "", true).unwrap();
    let err = rule(zw.set_programme(ENG, "P-MINE", None));
    assert!(err.contains("fixed once bound"), "{err}");
    drop(zw);

    // Forged by the lead with his own key, in a bundle to li.min: a crony
    // decision maker on the team, and her decision in the engagement.
    let mut f = Files::read(&w.path("lead.zip"));
    let member = EntityId::new(Kind::Member, format!("{ENG}/crony"));
    let next = 1000;
    f.forge(
        ENG,
        "zhang.wei",
        &w.signer("zhang.wei"),
        next,
        vec![
            (member.clone(), Change::Create),
            (member.clone(), set("role", "decision-maker")),
            (member.clone(), set("key", w.pubkey("crony").trim())),
        ],
    );
    f.write(&w.path("crony.zip"));
    decision_unchanged(&w, "lm", &w.path("crony.zip"), "named by the engagement's programme");
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        ENG,
        "zhang.wei",
        &w.signer("zhang.wei"),
        next,
        forged_decision("zhang.wei"),
    );
    f.write(&w.path("self-decided.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("self-decided.zip"),
        "recorded in its programme P-BANK",
    );

    // A programme of his own, carried along with the engagement: not T1's.
    let mut f = Files::read(&w.path("lead.zip"));
    let p = EntityId::new(Kind::Programme, "P-MINE");
    let me = EntityId::new(Kind::Member, "P-MINE/zhang.wei");
    f.forge(
        "P-MINE",
        "zhang.wei",
        &w.signer("zhang.wei"),
        next,
        vec![
            (p.clone(), Change::Create),
            (me.clone(), Change::Create),
            (me.clone(), set("role", "decision-maker")),
            (me.clone(), set("key", w.pubkey("zhang.wei").trim())),
        ],
    );
    f.forge(
        "P-MINE",
        "zhang.wei",
        &w.signer("zhang.wei"),
        next + 4,
        forged_decision("zhang.wei"),
    );
    f.write(&w.path("own-programme.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("own-programme.zip"),
        "neither T1 nor the programme T1 is bound to",
    );

    // Another programme under the real one's name (its own genesis, a
    // crony as decision maker): never the one T1 is bound to.
    let mut f = Files::read(&w.path("unbound.zip"));
    let p = EntityId::new(Kind::Programme, PROG);
    let crony = EntityId::new(Kind::Member, format!("{PROG}/crony"));
    f.forge(
        PROG,
        "crony",
        &w.signer("crony"),
        1,
        vec![
            (p.clone(), Change::Create),
            (crony.clone(), Change::Create),
            (crony.clone(), set("role", "decision-maker")),
            (crony.clone(), set("key", w.pubkey("crony").trim())),
        ],
    );
    f.forge(PROG, "crony", &w.signer("crony"), 5, forged_decision("crony"));
    f.write(&w.path("squatted.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("squatted.zip"),
        "neither T1 nor the programme T1 is bound to",
    );
    // A copy that never saw the real programme takes the squatter's record
    // in by name, but no decision of it: T1 is not bound to it.
    let fresh = w.open("fresh", "zhao.li", "ZL");
    bundle::import(&fresh, &w.path("squatted.zip")).unwrap();
    assert_eq!(fresh.engagement(ENG).unwrap().decision, None);
    drop(fresh);

    // An auditor turning the engagement into a "programme" (which would
    // refuse every later change of it): refused.
    let mut f = Files::read(&w.path("lead.zip"));
    let seq = App::open(&w.path("lm"))
        .unwrap()
        .all_ops()
        .unwrap()
        .iter()
        .filter(|o| o.id.actor == "li.min")
        .map(|o| o.id.seq)
        .max()
        .unwrap_or(0)
        + 1;
    f.forge(
        ENG,
        "li.min",
        &w.signer("li.min"),
        seq,
        vec![(EntityId::new(Kind::Programme, ENG), Change::Create)],
    );
    f.write(&w.path("engagement-as-programme.zip"));
    decision_unchanged(
        &w,
        "zw",
        &w.path("engagement-as-programme.zip"),
        "a programme is created and changed in its own batches",
    );
}

#[test]
fn nobody_but_a_decision_maker_of_the_programme_decides() {
    let w = world();
    // li.min has the decision; forgers write into the real programme.
    let lm = w.open("lm", "li.min", "LM");
    bundle::import(&lm, &w.path("decided.zip")).unwrap();
    drop(lm);
    let next = 1000;
    // An outsider, and the engagement's auditor, each with their own key.
    for (who, expect) in [
        ("wang.wu", "wang.wu is not on the team of programme P-BANK"),
        ("li.min", "li.min is not on the team of programme P-BANK"),
    ] {
        let mut f = Files::read(&w.path("decided.zip"));
        f.forge(PROG, who, &w.signer(who), next, forged_decision(who));
        let out = w.path(&format!("{who}.zip"));
        f.write(&out);
        decision_unchanged(&w, "lm", &out, expect);
    }
    // An outsider adding herself to the programme's team as decision maker.
    let mut f = Files::read(&w.path("decided.zip"));
    let me = EntityId::new(Kind::Member, format!("{PROG}/wang.wu"));
    f.forge(
        PROG,
        "wang.wu",
        &w.signer("wang.wu"),
        next,
        vec![
            (me.clone(), Change::Create),
            (me.clone(), set("role", "decision-maker")),
            (me.clone(), set("key", w.pubkey("wang.wu").trim())),
        ],
    );
    f.write(&w.path("self-added.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("self-added.zip"),
        "not on the team of programme P-BANK",
    );
    let lm = App::open(&w.path("lm")).unwrap();
    assert_eq!(lm.programme(PROG).unwrap().team.len(), 1, "the team is chen.bo only");
    drop(lm);
    // A lead of the programme who is not one of its decision makers.
    let cb = w.open("cb", "chen.bo", "CB");
    cb.add_programme_member(PROG, "li.na", "李娜", "LN", Role::Lead, Some(&w.pubkey("li.na")))
        .unwrap();
    export(&cb, ENG, &w.path("with-lead.zip"));
    drop(cb);
    let ln = w.open("ln", "li.na", "LN");
    bundle::import(&ln, &w.path("with-lead.zip")).unwrap();
    let err = rule(ln.set_certificate_status(ENG, CertificateStatus::Suspended, "x"));
    assert!(
        err.contains("li.na is not a decision maker of programme P-BANK"),
        "{err}"
    );
    drop(ln);
    let mut f = Files::read(&w.path("with-lead.zip"));
    f.forge(PROG, "li.na", &w.signer("li.na"), next, forged_decision("li.na"));
    f.write(&w.path("programme-lead.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("programme-lead.zip"),
        "li.na (lead) may not record the certification decision on T1",
    );
}

#[test]
fn a_decision_comes_after_the_technical_review_on_every_copy() {
    let w = world();
    // The programme's own decision maker, signing with his real key, skips
    // the technical review: every copy refuses the decision.
    let mut f = Files::read(&w.path("reviewable.zip"));
    f.forge(PROG, "chen.bo", &w.signer("chen.bo"), 1000, forged_decision("chen.bo"));
    f.write(&w.path("unreviewed.zip"));
    decision_unchanged(&w, "lm", &w.path("unreviewed.zip"), "comes after its technical review");
    // The audit's own auditor writes a review into the programme.
    let e = EntityId::new(Kind::Engagement, ENG);
    let mut f = Files::read(&w.path("reviewable.zip"));
    f.forge(
        PROG,
        "li.min",
        &w.signer("li.min"),
        1000,
        vec![
            (e.clone(), set("review_by", "li.min")),
            (e.clone(), set("review_note", "自审")),
        ],
    );
    f.write(&w.path("self-reviewed.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("self-reviewed.zip"),
        "li.min is not on the team of programme P-BANK",
    );
    // The decision maker writes a review in another person's name.
    let mut f = Files::read(&w.path("reviewable.zip"));
    f.forge(
        PROG,
        "chen.bo",
        &w.signer("chen.bo"),
        1000,
        vec![(e.clone(), set("review_by", "wu.fang"))],
    );
    f.write(&w.path("named-review.zip"));
    decision_unchanged(
        &w,
        "lm",
        &w.path("named-review.zip"),
        "the reviewer is the one who signs it",
    );
    let lm = App::open(&w.path("lm")).unwrap();
    assert!(lm.engagement(ENG).unwrap().review.is_none());
    // The review, then the decision, as chen.bo made them: accepted.
    let r = bundle::import(&lm, &w.path("decided.zip")).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    let e = lm.engagement(ENG).unwrap();
    assert_eq!(e.review.map(|r| r.by), Some("chen.bo".to_string()));
    assert!(e.decision.is_some());
}

#[test]
fn a_decision_maker_removed_from_the_programme_decides_nothing_more() {
    let w = world();
    // chen.bo names wu.fang decision maker; she receives the engagement.
    let cb = w.open("cb", "chen.bo", "CB");
    cb.add_programme_member(
        PROG,
        "wu.fang",
        "吴芳",
        "WF",
        Role::DecisionMaker,
        Some(&w.pubkey("wu.fang")),
    )
    .unwrap();
    export(&cb, ENG, &w.path("named.zip"));
    let wf = w.open("wf", "wu.fang", "WF");
    let r = bundle::import(&wf, &w.path("named.zip")).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    // chen.bo removes her; not told, she suspends the certificate.
    cb.remove_member(PROG, "wu.fang").unwrap();
    wf.set_certificate_status(ENG, CertificateStatus::Suspended, "私自暂停 / on her own")
        .unwrap();
    export(&wf, ENG, &w.path("after-removal.zip"));
    drop(wf);
    drop(cb);
    decision_unchanged(&w, "cb", &w.path("after-removal.zip"), "removed");
    let cb = App::open(&w.path("cb")).unwrap();
    assert_eq!(
        cb.engagement(ENG).unwrap().certificate.unwrap().status,
        CertificateStatus::Valid
    );
    // While named, her decision counts: the same suspension reaches li.min
    // (who has not seen the removal) — and is taken back when it arrives.
    drop(cb);
    let lm = w.open("lm", "li.min", "LM");
    let r = bundle::import(&lm, &w.path("after-removal.zip")).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(
        lm.engagement(ENG).unwrap().certificate.unwrap().status,
        CertificateStatus::Suspended
    );
    let cb = App::open(&w.path("cb")).unwrap();
    export(&cb, ENG, &w.path("removal.zip"));
    drop(cb);
    let r = bundle::import(&lm, &w.path("removal.zip")).unwrap();
    assert!(r.ops_applied > 0, "{r:?}");
    assert_eq!(
        lm.engagement(ENG).unwrap().certificate.unwrap().status,
        CertificateStatus::Valid,
        "the removal takes back what the lead had not seen"
    );
}

#[test]
fn the_decision_travels_through_a_git_remote_to_the_team() {
    let w = world();
    let remote = w.path("remote.git");
    let ok = std::process::Command::new("git")
        .args(["init", "--bare", "-q"])
        .arg(&remote)
        .status()
        .unwrap();
    assert!(ok.success());
    let url = remote.to_string_lossy().into_owned();
    let cb = w.open("cb", "chen.bo", "CB");
    cb.add_remote("origin", &url, false).unwrap();
    let r = cscaudit::sync::sync(&cb, None).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    drop(cb);
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.add_remote("origin", &url, false).unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    let e = zw.engagement(ENG).unwrap();
    assert_eq!(e.decision.map(|d| d.by), Some("chen.bo".to_string()));
    assert!(zw.programme(PROG).is_ok());
    drop(zw);
    // li.min, who never saw a bundle of the decision, syncs too.
    let lm = w.open("lm", "li.min", "LM");
    lm.add_remote("origin", &url, false).unwrap();
    let r = cscaudit::sync::sync(&lm, None).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(
        lm.engagement(ENG).unwrap().certificate.map(|c| c.number),
        Some("CSC-2026-001".to_string())
    );
    drop(lm);
    // Rebuilt from its own log, a copy keeps the programme and the decision.
    let ops = App::open(&w.path("zw")).unwrap().all_ops().unwrap().len();
    let r = cscaudit::sync::rebuild::rebuild(&w.path("zw"), &Default::default()).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    let zw = App::open(&w.path("zw")).unwrap();
    assert_eq!(zw.all_ops().unwrap().len(), ops);
    assert_eq!(
        zw.engagement(ENG).unwrap().decision.map(|d| d.by),
        Some("chen.bo".to_string())
    );
    assert_eq!(zw.programme(PROG).unwrap().decision_makers().count(), 1);
}
