//! Who may change an engagement is decided by its signed history, never by
//! names, ids or clocks: each attack of issue 24 as a test, with real
//! ed25519 keys made by `ssh-keygen`, real databases in temp folders and
//! batches forged with the attacker's own key (or none). Each shows the
//! receiving copy unchanged, file for file, and the honest teammate still
//! getting through.

mod common;

use common::keygen;

use cscaudit::app::{App, FindingMove, NewAction, NewFinding};
use cscaudit::bundle::{self, ExportOptions};
use cscaudit::crypto::sign::{Head, SignedBatch, Signer};
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::Role;
use cscaudit::model::finding::Grade;
use cscaudit::model::ops::{Change, EntityId, Kind, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const ENG: &str = "T1";

fn pubkey(path: &Path) -> String {
    std::fs::read_to_string(format!("{}.pub", path.display())).unwrap()
}

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
    /// The key of `who` (made on first use).
    fn key(&self, who: &str) -> PathBuf {
        let p = self.path("keys").join(who);
        if !p.exists() {
            keygen(&self.path("keys"), who);
        }
        p
    }
    fn signer(&self, who: &str) -> Signer {
        Signer::load(&self.key(who)).unwrap()
    }
    /// A copy at `folder` acting as `actor`, signing with their key.
    fn open(&self, folder: &str, actor: &str, initials: &str) -> App {
        let mut app = App::open(&self.path(folder)).unwrap();
        app.set_identity(actor, actor, initials).unwrap();
        app.set_identity_key(Some(&self.key(actor))).unwrap();
        app
    }
}

fn finding(grade: Grade, title: &str, issue: bool) -> NewFinding {
    NewFinding {
        grade,
        title: title.into(),
        statement: "现场所见".into(),
        criterion: "GB/T 32312".into(),
        indicators: vec![],
        evidence_note: String::new(),
        issue,
    }
}

fn export(app: &App, eng: &str, out: &Path) {
    bundle::export(app, eng, out, &ExportOptions::default()).unwrap();
}

/// The lead zhang.wei creates T1 and registers li.min (auditor) with her
/// key; raises a major and takes it to plan-accepted. li.min joins from
/// the lead's bundle (`lead.zip`). Returns the major's reference.
fn team(w: &World) -> String {
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.create_engagement(
        common::new_engagement(ENG, "信任测试"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    zw.add_member_keyed(
        ENG,
        "li.min",
        "李敏",
        "LM",
        Role::Auditor,
        Some("CCAA-2"),
        Some(&pubkey(&w.key("li.min"))),
    )
    .unwrap();
    let major = zw
        .raise_finding(ENG, finding(Grade::Major, "录音缺失", true))
        .unwrap()
        .reference;
    zw.move_finding(
        &major,
        FindingMove::Respond {
            root_cause: "磁盘满".into(),
            correction: "扩容".into(),
        },
    )
    .unwrap();
    zw.add_action(
        &major,
        NewAction {
            description: "扩容并告警".into(),
            owner: "王芳".into(),
            due: None,
        },
    )
    .unwrap();
    zw.move_finding(&major, FindingMove::AcceptPlan).unwrap();
    export(&zw, ENG, &w.path("lead.zip"));
    drop(zw);
    let lm = w.open("lm", "li.min", "LM");
    let r = bundle::import(&lm, &w.path("lead.zip")).unwrap();
    assert!(
        r.joined && r.refused.is_empty() && r.ops_signed == r.ops_applied,
        "{r:?}"
    );
    major
}

use common::files::Files;

/// Batches of T1, as most attacks forge them.
impl Files {
    fn heads(&mut self) -> Vec<Head> {
        self.heads_of(ENG)
    }
    fn genesis(&mut self) -> SignedBatch {
        self.genesis_of(ENG).unwrap()
    }
    fn forge(
        &mut self,
        author: &str,
        signer: Option<&Signer>,
        first: u64,
        wall_ms: u64,
        changes: Vec<(EntityId, Change)>,
        parents: Option<Vec<Head>>,
    ) {
        self.forge_in(ENG, author, signer, first, wall_ms, changes, parents);
    }
}

fn set(field: &str, value: impl Into<Value>) -> Change {
    Change::Set {
        field: field.into(),
        value: value.into(),
    }
}

fn now_ms() -> u64 {
    jiff::Timestamp::now().as_millisecond() as u64
}

/// `folder` imports `bundle_path`: refused, naming every `expect`, in
/// Chinese too, and the data folder exactly as before.
fn refused(w: &World, folder: &str, bundle_path: &Path, expect: &[&str]) {
    let data = w.path(folder);
    for _ in 0..3 {
        drop(App::open(&data).unwrap());
    }
    let before = common::data_fingerprint(&data);
    let app = App::open(&data).unwrap();
    let err = bundle::import(&app, bundle_path).unwrap_err();
    let msg = err.message();
    for e in expect {
        assert!(msg.en.contains(e), "expected {e:?} in: {}", msg.en);
    }
    assert!(msg.zh != msg.en && !msg.zh.is_empty(), "{}", msg.zh);
    drop(app);
    assert_eq!(
        common::data_fingerprint(&data),
        before,
        "{folder}'s data changed ({expect:?})"
    );
}

/// li.min's next free number on her copy (what an honest batch would use).
fn next_seq(w: &World) -> u64 {
    let lm = App::open(&w.path("lm")).unwrap();
    lm.all_ops()
        .unwrap()
        .iter()
        .filter(|o| o.id.actor == "li.min")
        .map(|o| o.id.seq)
        .max()
        .unwrap_or(0)
        + 1
}

#[test]
fn an_outsider_reusing_the_engagement_id_makes_another_engagement() {
    let w = World::new();
    team(&w);
    // wang.wu, on no team, creates his own "T1" and raises a finding in it.
    let ww = w.open("ww", "wang.wu", "WW");
    ww.create_engagement(
        common::new_engagement(ENG, "冒名"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    ww.raise_finding(ENG, finding(Grade::Minor, "冒名发现项", false))
        .unwrap();
    export(&ww, ENG, &w.path("ww.zip"));
    refused(
        &w,
        "zw",
        &w.path("ww.zip"),
        &["another engagement that is also named T1", "wang.wu", "zhang.wei"],
    );
    // A newcomer who joined from wang.wu's bundle first refuses the team's.
    let nc = w.open("nc", "new.comer", "NC");
    bundle::import(&nc, &w.path("ww.zip")).unwrap();
    drop(nc);
    refused(
        &w,
        "nc",
        &w.path("lead.zip"),
        &["another engagement that is also named T1"],
    );
}

#[test]
fn nobody_makes_themself_lead() {
    let w = World::new();
    team(&w);
    let ww_pub = pubkey(&w.key("wang.wu"));
    let member = |a: &str| EntityId::new(Kind::Member, format!("{ENG}/{a}"));
    // An outsider writes a member record for himself, signed with his key.
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        "wang.wu",
        Some(&w.signer("wang.wu")),
        1,
        now_ms(),
        vec![
            (member("wang.wu"), Change::Create),
            (member("wang.wu"), set("role", "lead")),
            (member("wang.wu"), set("key", ww_pub.trim())),
        ],
        None,
    );
    f.write(&w.path("self-added.zip"));
    refused(&w, "zw", &w.path("self-added.zip"), &["wang.wu is not on the team"]);
    // An auditor promotes herself, signed with her own registered key.
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        "li.min",
        Some(&w.signer("li.min")),
        next_seq(&w),
        now_ms(),
        vec![(member("li.min"), set("role", "lead"))],
        None,
    );
    f.write(&w.path("promoted.zip"));
    refused(
        &w,
        "zw",
        &w.path("promoted.zip"),
        &["li.min changed the team", "not a lead"],
    );
}

#[test]
fn backdated_and_unsigned_batches_count_for_nothing() {
    let w = World::new();
    team(&w);
    let genesis_only = |f: &mut Files| {
        let g = f.genesis();
        vec![Head {
            actor: g.actor.clone(),
            seq: g.last(),
            hash: g.id(),
        }]
    };
    // Unsigned, "by the lead", dated before anything else and naming only
    // the genesis: adds wang.wu as a lead.
    let mut f = Files::read(&w.path("lead.zip"));
    let parents = genesis_only(&mut f);
    f.forge(
        "zhang.wei",
        None,
        500,
        1,
        vec![
            (EntityId::new(Kind::Member, format!("{ENG}/wang.wu")), Change::Create),
            (
                EntityId::new(Kind::Member, format!("{ENG}/wang.wu")),
                set("role", "lead"),
            ),
        ],
        Some(parents),
    );
    f.write(&w.path("backdated-lead.zip"));
    refused(&w, "lm", &w.path("backdated-lead.zip"), &["zhang.wei"]);
    // Unsigned by li.min, naming only the history from before her key was
    // registered: not a member then, and a keyed member now.
    let mut f = Files::read(&w.path("lead.zip"));
    let parents = genesis_only(&mut f);
    f.forge(
        "li.min",
        None,
        next_seq(&w),
        1,
        vec![(EntityId::new(Kind::Finding, "LM-900"), Change::Create)],
        Some(parents),
    );
    f.write(&w.path("backdated-lm.zip"));
    refused(&w, "zw", &w.path("backdated-lm.zip"), &["li.min"]);
    // Signed by wang.wu's key but claiming to be li.min.
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        "li.min",
        Some(&w.signer("wang.wu")),
        next_seq(&w),
        now_ms(),
        vec![(EntityId::new(Kind::Engagement, ENG), set("title", "x"))],
        None,
    );
    f.write(&w.path("impersonated.zip"));
    refused(&w, "zw", &w.path("impersonated.zip"), &["li.min"]);
}

#[test]
fn a_removed_member_is_refused_whatever_her_clock_says() {
    let w = World::new();
    team(&w);
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.remove_member(ENG, "li.min").unwrap();
    drop(zw);
    // li.min, not told, raises a finding after the removal.
    let lm = w.open("lm", "li.min", "LM");
    lm.raise_finding(ENG, finding(Grade::Observation, "离队后", false))
        .unwrap();
    export(&lm, ENG, &w.path("after.zip"));
    drop(lm);
    refused(&w, "zw", &w.path("after.zip"), &["li.min was removed from the team"]);
    // The same change dated a day before the removal: refused alike.
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        "li.min",
        Some(&w.signer("li.min")),
        next_seq(&w),
        now_ms() - 86_400_000,
        vec![(EntityId::new(Kind::Finding, "LM-777"), Change::Create)],
        None,
    );
    f.write(&w.path("backdated.zip"));
    refused(
        &w,
        "zw",
        &w.path("backdated.zip"),
        &["li.min was removed from the team"],
    );
}

#[test]
fn far_future_clocks_and_sequence_overflow_are_refused() {
    let w = World::new();
    team(&w);
    let create = |id: &str| {
        vec![
            (EntityId::new(Kind::Finding, id), Change::Create),
            (EntityId::new(Kind::Finding, id), set("engagement", ENG)),
        ]
    };
    for (name, wall) in [("ten-years", now_ms() + 10 * 365 * 86_400_000), ("2^63", 1u64 << 63)] {
        let mut f = Files::read(&w.path("lead.zip"));
        f.forge(
            "li.min",
            Some(&w.signer("li.min")),
            next_seq(&w),
            wall,
            create("LM-800"),
            None,
        );
        f.write(&w.path(&format!("{name}.zip")));
        refused(&w, "zw", &w.path(&format!("{name}.zip")), &["hours ahead", "24 hours"]);
    }
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        "li.min",
        Some(&w.signer("li.min")),
        u64::MAX - 1,
        now_ms(),
        create("LM-801"),
        None,
    );
    f.write(&w.path("overflow.zip"));
    refused(&w, "zw", &w.path("overflow.zip"), &["out of range"]);
    // The lead's own numbering and clock are as they were.
    let zw = w.open("zw", "zhang.wei", "ZW");
    let r = zw.raise_finding(ENG, finding(Grade::Minor, "照常", false)).unwrap();
    let (_, h) = zw.history(&r.reference).unwrap();
    assert!(
        h.iter().all(|o| o.hlc.wall_ms < now_ms() + 60_000 && o.id.seq < 1000),
        "{h:?}"
    );
}

/// A forged batch's name, its changes and what the refusal must say.
type Case<'a> = (&'a str, Vec<(EntityId, Change)>, &'a str);

#[test]
fn a_member_cannot_break_the_rules_the_cli_applies() {
    let w = World::new();
    let major = team(&w);
    let lm = w.signer("li.min");
    let f_id = EntityId::new(Kind::Finding, format!("{ENG}/{major}"));
    let cases: Vec<Case> = vec![
        (
            "close-accepted-major",
            vec![(f_id.clone(), set("status", "closed"))],
            major.as_str(),
        ),
        (
            "delete-leads-finding",
            vec![(f_id.clone(), Change::Tombstone)],
            "only a lead or its creator",
        ),
        (
            "edit-engagement",
            vec![(EntityId::new(Kind::Engagement, ENG), set("title", "改掉"))],
            "only a lead changes the engagement",
        ),
        (
            "grade-as-integer",
            vec![(f_id.clone(), set("grade", 3i64))],
            "not a value of grade",
        ),
        (
            "move-to-other-engagement",
            vec![(f_id.clone(), set("engagement", "T2"))],
            "another engagement than its own",
        ),
        (
            "escape-in-id",
            vec![(EntityId::new(Kind::Finding, "LM-9\u{1b}[2J"), Change::Create)],
            "control characters",
        ),
        (
            "decide",
            vec![(
                EntityId::new(Kind::Engagement, ENG),
                set("certificate_status", "suspended"),
            )],
            "a certification decision is made by the decision makers of the engagement's programme",
        ),
    ];
    for (name, changes, expect) in cases {
        let mut f = Files::read(&w.path("lead.zip"));
        f.forge("li.min", Some(&lm), next_seq(&w), now_ms(), changes, None);
        f.write(&w.path(&format!("{name}.zip")));
        refused(&w, "zw", &w.path(&format!("{name}.zip")), &[expect]);
    }
    // And an honest change of hers still gets through.
    let app = w.open("lm", "li.min", "LM");
    app.raise_finding(ENG, finding(Grade::Observation, "如实记录", false))
        .unwrap();
    export(&app, ENG, &w.path("honest.zip"));
    drop(app);
    let zw = w.open("zw", "zhang.wei", "ZW");
    let r = bundle::import(&zw, &w.path("honest.zip")).unwrap();
    assert!(
        r.refused.is_empty() && r.ops_applied > 0 && r.ops_signed == r.ops_applied,
        "{r:?}"
    );
    assert_eq!(zw.finding(&major).unwrap().status.as_str(), "plan-accepted");
}

#[test]
fn collisions_without_malice_lose_nothing() {
    let w = World::new();
    team(&w);
    // Same initials, another engagement: ZW-001 in both.
    let zwen = w.open("zwen", "zhao.wen", "ZW");
    zwen.create_engagement(
        common::new_engagement("T9", "赵文的项目"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    let theirs = zwen
        .raise_finding("T9", finding(Grade::Minor, "赵文的发现项", false))
        .unwrap();
    export(&zwen, "T9", &w.path("t9.zip"));
    drop(zwen);
    let zw = w.open("zw", "zhang.wei", "ZW");
    let mine = zw.finding(&theirs.reference).unwrap();
    assert_eq!(mine.engagement, ENG);
    assert_eq!(mine.reference, theirs.reference, "both are ZW-001");
    // References are per engagement: theirs comes in beside mine.
    let r = bundle::import(&zw, &w.path("t9.zip")).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    let in_t9 = zw.finding(&format!("T9/{}", theirs.reference)).unwrap();
    assert_eq!(
        (in_t9.engagement.as_str(), in_t9.title.as_str()),
        ("T9", "赵文的发现项")
    );
    let in_eng = zw.finding(&format!("{ENG}/{}", mine.reference)).unwrap();
    assert_eq!(in_eng, mine, "mine is untouched");
    // A bare reference held by both is ambiguous until the engagement is named.
    let err = zw.finding(&theirs.reference).unwrap_err().message().en;
    assert!(err.contains("several engagements") && err.contains("T9/"), "{err}");
    // Every command that takes a reference says so too, not "no conflict".
    let err = zw
        .resolve_conflict(&theirs.reference, "title", cscaudit::app::Keep::Other)
        .unwrap_err()
        .message()
        .en;
    assert!(err.contains("several engagements"), "{err}");
    zw.set_context(Some("T9"));
    assert_eq!(zw.finding(&theirs.reference).unwrap().engagement, "T9");
    zw.set_context(Some(ENG));
    assert_eq!(zw.finding(&theirs.reference).unwrap(), mine);
    assert_eq!(zw.findings("T9").unwrap().len(), 1);
    assert!(zw.findings(ENG).unwrap().iter().all(|f| f.engagement == ENG));
    // Nothing of one engagement touches the other's: a member's batch of
    // the team's engagement that edits T9's ZW-001 is refused.
    drop(zw);
    let mut f = Files::read(&w.path("lead.zip"));
    f.forge(
        "li.min",
        Some(&w.signer("li.min")),
        next_seq(&w),
        now_ms(),
        vec![(
            EntityId::new(Kind::Finding, format!("T9/{}", theirs.reference)),
            set("title", "越界"),
        )],
        None,
    );
    f.write(&w.path("reach-across.zip"));
    refused(&w, "zw", &w.path("reach-across.zip"), &["is a record of engagement T9"]);
    // Nor does one that places a new record of its own in T9.
    let mut f = Files::read(&w.path("lead.zip"));
    let id = format!("{ENG}/LM-950");
    f.forge(
        "li.min",
        Some(&w.signer("li.min")),
        next_seq(&w),
        now_ms(),
        vec![
            (EntityId::new(Kind::Finding, id.as_str()), Change::Create),
            (EntityId::new(Kind::Finding, id.as_str()), set("engagement", "T9")),
        ],
        None,
    );
    f.write(&w.path("place-across.zip"));
    refused(
        &w,
        "zw",
        &w.path("place-across.zip"),
        &["another engagement than its own"],
    );
    let zw = w.open("zw", "zhang.wei", "ZW");
    assert_eq!(
        zw.finding(&format!("T9/{}", theirs.reference)).unwrap().title,
        "赵文的发现项"
    );
    drop(zw);
    // Same actor id, another person: their SH-2 is refused, not "joined".
    let other = w.open("zw2", "zhang.wei", "ZW");
    other
        .create_engagement(
            common::new_engagement("SH-2", "同名同号"),
            &cscaudit::config::embedded_catalog(),
            EMBEDDED_GBT32312,
        )
        .unwrap();
    export(&other, "SH-2", &w.path("sh2.zip"));
    drop(other);
    refused(&w, "zw", &w.path("sh2.zip"), &["two people use the actor id zhang.wei"]);
}

/// Two members of one team with the same initials: the lead registers one
/// under others, and that member's references use them (found by an
/// outside review: both minted ZW-002 and one finding was overwritten).
#[test]
fn a_member_registered_under_other_initials_numbers_with_them() {
    let w = World::new();
    team(&w);
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.add_member(ENG, "zhao.wen", "赵文", "ZN", Role::Auditor, None)
        .unwrap();
    export(&zw, ENG, &w.path("with-zn.zip"));
    let mine = zw
        .raise_finding(ENG, finding(Grade::Observation, "张伟的", false))
        .unwrap();
    drop(zw);
    let zn = w.open("zn", "zhao.wen", "ZW");
    bundle::import(&zn, &w.path("with-zn.zip")).unwrap();
    let theirs = zn
        .raise_finding(ENG, finding(Grade::Observation, "赵文的", false))
        .unwrap();
    assert!(theirs.reference.starts_with("ZN-"), "{}", theirs.reference);
    assert!(mine.reference.starts_with("ZW-"), "{}", mine.reference);
}

#[test]
fn a_catalogue_is_known_by_its_content() {
    let w = World::new();
    team(&w);
    // wang.wu's engagement comes with a catalogue under the built-in id and
    // version but with other content.
    let poisoned = EMBEDDED_GBT32312.replacen("name_zh = \"", "name_zh = \"【改】", 1);
    assert_ne!(poisoned, EMBEDDED_GBT32312);
    let cat = cscaudit::config::parse_catalog(&poisoned, "poisoned.toml").unwrap();
    let ww = w.open("ww", "wang.wu", "WW");
    ww.create_engagement(common::new_engagement("P1", "毒目录"), &cat, &poisoned)
        .unwrap();
    export(&ww, "P1", &w.path("p1.zip"));
    drop(ww);
    let zw = w.open("zw", "zhang.wei", "ZW");
    bundle::import(&zw, &w.path("p1.zip")).unwrap();
    // A later engagement with the built-in catalogue gets the built-in one.
    zw.create_engagement(
        common::new_engagement("T3", "之后"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    let t3 = zw.engagement("T3").unwrap();
    assert_eq!(zw.catalog_source(&t3).unwrap().as_deref(), Some(EMBEDDED_GBT32312));
    let p1 = zw.engagement("P1").unwrap();
    assert_eq!(zw.catalog_source(&p1).unwrap().as_deref(), Some(poisoned.as_str()));
    drop(zw);
    // A bundle whose catalogue is not the one its engagement names.
    let mut f = Files::read(&w.path("lead.zip"));
    *f.get("catalog.toml") = poisoned.into_bytes();
    f.write(&w.path("swapped-catalogue.zip"));
    let nc = w.open("nc", "new.comer", "NC");
    drop(nc);
    refused(
        &w,
        "nc",
        &w.path("swapped-catalogue.zip"),
        &["not the one the engagement was created with"],
    );
}

/// Unzip `zip` into `dir` and run its verify.sh with nothing but
/// /usr/bin:/bin on PATH: (success, what it printed).
fn run_verify(zip: &Path, dir: &Path) -> (bool, String) {
    let _ = std::fs::remove_dir_all(dir);
    for (name, bytes) in Files::read(zip).0 {
        let p = dir.join(&name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let out = std::process::Command::new("/bin/sh")
        .arg("verify.sh")
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Rewrite SHA256SUMS (and the manifest) to match the files as they are now.
fn relist_sums(files: &mut Files) {
    let mut sums = String::new();
    for line in String::from_utf8(files.get("SHA256SUMS").clone()).unwrap().lines() {
        let path = &line[66..];
        let bytes = files.0.iter().find(|f| f.0 == path).unwrap().1.clone();
        sums.push_str(&format!("{}  {path}\n", hex::encode(Sha256::digest(&bytes))));
    }
    *files.get("SHA256SUMS") = sums.into_bytes();
}

#[test]
fn anyone_checks_a_bundle_with_ssh_keygen_and_sha256sum() {
    let w = World::new();
    team(&w);
    let lm = w.open("lm", "li.min", "LM");
    lm.raise_finding(ENG, finding(Grade::Observation, "签名核验", false))
        .unwrap();
    export(&lm, ENG, &w.path("lm.zip"));
    drop(lm);
    let (ok, out) = run_verify(&w.path("lm.zip"), &w.path("check"));
    assert!(ok, "{out}");
    assert!(
        out.contains("signed batches verified") && out.contains("li.min SHA256:"),
        "{out}"
    );

    // One operation changed after signing, in ops.jsonl and in its batch's
    // file, with SHA256SUMS and the manifest updated to match.
    let mut f = Files::read(&w.path("lm.zip"));
    let (name, old_line) =
        f.0.iter()
            .filter(|(n, _)| n.starts_with("signed/") && n.ends_with(".ops"))
            .find_map(|(n, b)| {
                String::from_utf8(b.clone())
                    .unwrap()
                    .lines()
                    .find(|l| l.contains("签名核验"))
                    .map(|l| (n.clone(), l.to_string()))
            })
            .unwrap();
    let new_line = old_line.replace("签名核验", "已整改");
    for file in [name.as_str(), "ops.jsonl"] {
        let text = String::from_utf8(f.get(file).clone())
            .unwrap()
            .replace(&old_line, &new_line);
        *f.get(file) = text.into_bytes();
    }
    relist_sums(&mut f);
    f.write(&w.path("altered.zip"));
    let (ok, out) = run_verify(&w.path("altered.zip"), &w.path("check"));
    assert!(
        !ok && out.contains("FAILED") && out.contains("not what li.min signed"),
        "{out}"
    );

    // Only ops.jsonl changed (the batch files kept as signed).
    let mut f = Files::read(&w.path("lm.zip"));
    let text = String::from_utf8(f.get("ops.jsonl").clone())
        .unwrap()
        .replace(&old_line, &new_line);
    *f.get("ops.jsonl") = text.into_bytes();
    relist_sums(&mut f);
    f.write(&w.path("altered2.zip"));
    let (ok, out) = run_verify(&w.path("altered2.zip"), &w.path("check"));
    assert!(!ok && out.contains("ops.jsonl differs"), "{out}");

    // A file changed without SHA256SUMS following.
    let mut f = Files::read(&w.path("lm.zip"));
    f.get("report.md").extend(b"\nx");
    f.write(&w.path("altered3.zip"));
    let (ok, out) = run_verify(&w.path("altered3.zip"), &w.path("check"));
    assert!(!ok && out.contains("does not match SHA256SUMS"), "{out}");
}

mod converge {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// Three keys made once for every case (ssh-keygen is slow to run 3×48 times).
    fn keys() -> &'static Path {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        DIR.get_or_init(|| {
            let d = tempfile::tempdir().unwrap();
            for who in ["zw", "lm", "wl"] {
                keygen(d.path(), who);
            }
            d
        })
        .path()
    }

    #[derive(Clone, Debug)]
    enum Step {
        Raise(usize),
        Edit(usize, usize),
        Issue(usize, usize),
        /// The lead gives member 1 or 2 another role.
        Role(usize, usize),
        Exchange(usize, usize),
        /// The lead removes wl.
        Remove,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..3usize).prop_map(Step::Raise),
            (0..3usize, 0..8usize).prop_map(|(r, k)| Step::Edit(r, k)),
            (0..3usize, 0..8usize).prop_map(|(r, k)| Step::Issue(r, k)),
            (1..3usize, 0..3usize).prop_map(|(m, r)| Step::Role(m, r)),
            (0..3usize, 0..3usize).prop_map(|(a, b)| Step::Exchange(a, b)),
            Just(Step::Remove),
        ]
    }

    const WHO: [(&str, &str); 3] = [("zw", "ZW"), ("lm", "LM"), ("wl", "WL")];
    const ROLES: [Role; 3] = [Role::Auditor, Role::TechnicalExpert, Role::Observer];

    /// Everything `from` holds of the engagement, judged and merged by `to`.
    fn exchange(from: &App, to: &App) {
        let ops = from.all_ops().unwrap();
        let batches = from.batches_for(&ops).unwrap();
        let judged = to.judge_batches(ENG, ops, batches).unwrap();

        for r in &judged.refused {
            let why = &r.reason.en;
            assert!(
                r.waiting || why.contains("was removed from the team") || why.contains("taken back"),
                "an honest replica's batch refused: {why}"
            );
        }
        to.apply_judged(judged).unwrap();
    }

    /// What a replica holds: its operation ids, its batches' ids and its findings.
    fn state(app: &App) -> (Vec<String>, Vec<String>, String) {
        let ops = app.all_ops().unwrap();
        let mut ids: Vec<String> = ops.iter().map(|o| o.id.to_string()).collect();
        ids.sort();
        let mut batches: Vec<String> = app.batches_for(&ops).unwrap().iter().map(|b| b.id()).collect();
        batches.sort();
        let findings = serde_json::to_string(&app.findings(ENG).unwrap()).unwrap();
        (ids, batches, findings)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        /// Three replicas make edits and team changes (roles, and the lead
        /// removing wl while wl and lm go on working) and exchange what they
        /// hold in any order: once everyone has everything, every replica
        /// holds the same batches and the same records, and nothing but a
        /// removed member's unseen work is refused.
        #[test]
        fn three_replicas_converge(steps in proptest::collection::vec(step(), 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let apps: Vec<App> = WHO
                .iter()
                .map(|(who, ini)| {
                    let mut app = App::open(&dir.path().join(who)).unwrap();
                    app.set_identity(who, who, ini).unwrap();
                    app.set_identity_key(Some(&keys().join(who))).unwrap();
                    app
                })
                .collect();
            let pubkey = |who: &str| std::fs::read_to_string(keys().join(format!("{who}.pub"))).unwrap();
            apps[0]
                .create_engagement(common::new_engagement(ENG, "收敛"), &cscaudit::config::embedded_catalog(), EMBEDDED_GBT32312)
                .unwrap();
            for (who, ini) in &WHO[1..] {
                apps[0].add_member_keyed(ENG, who, who, ini, Role::Auditor, None, Some(&pubkey(who))).unwrap();
            }
            exchange(&apps[0], &apps[1]);
            exchange(&apps[0], &apps[2]);
            for s in &steps {
                match *s {
                    Step::Raise(r) => {
                        let _ = apps[r].raise_finding(ENG, finding(Grade::Minor, &format!("{} 的发现项", WHO[r].0), false));
                    }
                    Step::Edit(r, k) => {
                        let fs = apps[r].findings(ENG).unwrap();
                        if !fs.is_empty() {
                            let f = &fs[k % fs.len()];
                            let _ = apps[r].edit_finding(&f.reference, "title", &format!("{} 改 {k}", WHO[r].0));
                        }
                    }
                    Step::Issue(r, k) => {
                        let fs = apps[r].findings(ENG).unwrap();
                        if !fs.is_empty() {
                            let _ = apps[r].move_finding(&fs[k % fs.len()].reference, FindingMove::Issue);
                        }
                    }
                    Step::Role(m, r) => {
                        let (who, ini) = WHO[m];
                        let _ = apps[0].add_member(ENG, who, who, ini, ROLES[r], None);
                    }
                    Step::Remove => {
                        let _ = apps[0].remove_member(ENG, "wl");
                    }
                    Step::Exchange(a, b) => {
                        if a != b {
                            exchange(&apps[a], &apps[b]);
                        }
                    }
                }
            }
            for _ in 0..2 {
                for a in 0..3 {
                    for b in 0..3 {
                        if a != b {
                            exchange(&apps[a], &apps[b]);
                        }
                    }
                }
            }
            let first = state(&apps[0]);
            prop_assert!(!first.0.is_empty());
            for app in &apps[1..] {
                prop_assert_eq!(&state(app), &first);
            }
            // Taking batches back left every copy whole: records as their
            // operations fold, counts as recorded, every change verified.
            for app in &apps {
                let d = app.doctor(&mut |_, _| {}).unwrap();
                prop_assert!(d.records_differing.is_empty() && d.invalid.is_empty(), "{d:?}");
                prop_assert_eq!(d.ops, d.ops_recorded);
                prop_assert_eq!(d.unsigned, 0);
            }
        }
    }
}

/// The data folder and the sync repository are owner-only; evidence is read
/// through the handle that was checked: a symbolic link swapped in between
/// never gets another file stored (the race the issue reproduced on
/// /etc/shadow, here on a secret file of the test's own).
#[test]
fn private_by_default_and_evidence_is_read_as_checked() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    team(&w);
    let zw = w.open("zw", "zhang.wei", "ZW");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&w.path("zw")), 0o700, "the data folder");
    zw.add_remote("origin", &format!("file://{}", w.path("remote.git").display()), false)
        .unwrap();
    let st = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(w.path("remote.git"))
        .status()
        .unwrap();
    assert!(st.success());
    cscaudit::sync::sync(&zw, None).unwrap();
    assert_eq!(mode(&w.path("zw").join("sync.git")), 0o700, "the sync repository");

    let secret = w.path("secret.txt");
    std::fs::write(&secret, "机密 secret 5f1c").unwrap();
    let secret_sha = hex::encode(Sha256::digest(std::fs::read(&secret).unwrap()));
    let file = w.path("排班.txt");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (file, secret, stop) = (file.clone(), secret.clone(), stop.clone());
        std::thread::spawn(move || {
            let tmp_file = file.with_extension("f");
            let tmp_link = file.with_extension("l");
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                std::fs::write(&tmp_file, format!("排班表 roster {n}")).unwrap();
                std::fs::rename(&tmp_file, &file).unwrap();
                let _ = std::fs::remove_file(&tmp_link);
                std::os::unix::fs::symlink(&secret, &tmp_link).unwrap();
                std::fs::rename(&tmp_link, &file).unwrap();
            }
        })
    };
    let mut stored = 0;
    for _ in 0..30000 {
        if let Ok(ev) = zw.attach_evidence(ENG, &file, "排班", None, None) {
            assert_ne!(ev.sha256, secret_sha, "the secret was stored through a link");
            stored += 1;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(stored > 0, "the regular file was attached at least once");
    for ev in zw.evidence(ENG).unwrap() {
        assert_ne!(ev.sha256, secret_sha);
    }
    let blobs = common::fingerprint(&w.path("zw").join("blobs"), "");
    assert!(blobs.iter().all(|(_, h)| *h != secret_sha), "no blob holds the secret");
}

/// `identity set` for someone else without `--key` does not sign with the
/// previous person's key, and says so.
#[test]
fn a_new_identity_does_not_inherit_the_previous_key() {
    let w = World::new();
    let d = w.path("cli");
    let key = w.key("zhang.wei");
    let out = common::cli_stdout(
        &d,
        &[
            "identity",
            "set",
            "zhang.wei",
            "--name",
            "张伟",
            "--initials",
            "ZW",
            "--key",
            key.to_str().unwrap(),
        ],
    );
    assert!(out.contains("signs with SHA256:"), "{out}");
    let out = common::cli_stdout(
        &d,
        &["identity", "set", "wang.wu", "--name", "王五", "--initials", "WW"],
    );
    assert!(out.contains("no signing key"), "{out}");
    assert!(!out.contains("signs with"), "{out}");
}

/// A member's copy run with its clock a month back, then ten years ahead
/// (`faketime`, the real binary): the month-old change is an ordinary
/// change to the lead; the one "from 2036" is refused, and neither moves the
/// lead's own clock.
#[test]
fn a_members_clock_moved_back_or_ahead_moves_nothing_of_the_leads() {
    let faketime = ["/usr/bin/faketime", "/usr/local/bin/faketime"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("faketime is installed (Debian package faketime; .ci/run installs it)");
    let w = World::new();
    team(&w);
    let bin = assert_cmd::cargo::cargo_bin("cscaudit");
    let run = |offset: &str, args: &[&str]| {
        let out = std::process::Command::new(faketime)
            .args(["-f", offset])
            .arg(&bin)
            .args(args)
            .env("CSCAUDIT_DATA_DIR", w.path("lm"))
            .env("CSCAUDIT_CONFIG_DIR", w.path("lm-config"))
            .env("LANG", "en_US.UTF-8")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The copy really runs a month back.
    let raised = run(
        "-30d",
        &[
            "finding",
            "raise",
            "-e",
            ENG,
            "--grade",
            "observation",
            "--title",
            "一个月前",
        ],
    );
    assert!(raised.contains("LM-"), "{raised}");
    run(
        "-30d",
        &["export", "-e", ENG, "--out", w.path("back.zip").to_str().unwrap()],
    );
    let month_ago = now_ms() - 29 * 86_400_000;
    {
        let zw = w.open("zw", "zhang.wei", "ZW");
        let r = bundle::import(&zw, &w.path("back.zip")).unwrap();
        assert!(r.refused.is_empty() && r.ops_applied > 0, "{r:?}");
        let f = zw
            .findings(ENG)
            .unwrap()
            .into_iter()
            .find(|f| f.title == "一个月前")
            .unwrap();
        // Its dates are the copy's (a month back); its clock never runs
        // behind what the copy had already seen (a hybrid logical clock).
        let raised_on = jiff::Timestamp::from_millisecond(month_ago as i64)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        assert!(f.raised_on.is_some_and(|d| d <= raised_on), "{:?}", f.raised_on);
        let (_, h) = zw.history(&f.reference).unwrap();
        assert!(h.iter().all(|o| o.hlc.wall_ms <= now_ms()), "{h:?}");
    }
    // Ten years ahead: refused, the lead's data as it was.
    run(
        "+3650d",
        &[
            "finding",
            "raise",
            "-e",
            ENG,
            "--grade",
            "observation",
            "--title",
            "十年后",
        ],
    );
    run(
        "+3650d",
        &["export", "-e", ENG, "--out", w.path("ahead.zip").to_str().unwrap()],
    );
    refused(&w, "zw", &w.path("ahead.zip"), &["hours ahead", "24 hours"]);
    // The lead's next change is stamped with the lead's own time.
    let zw = w.open("zw", "zhang.wei", "ZW");
    let mine = zw.raise_finding(ENG, finding(Grade::Minor, "此刻", false)).unwrap();
    let (_, h) = zw.history(&mine.reference).unwrap();
    let now = now_ms();
    assert!(
        h.iter().all(|o| o.hlc.wall_ms <= now && o.hlc.wall_ms + 60_000 > now),
        "{h:?}"
    );
    assert!(!zw.findings(ENG).unwrap().iter().any(|f| f.title == "十年后"));
}

/// The TUI and the CLI can say, before anything is typed, why your changes
/// to an engagement would be refused for their signature.
#[test]
fn an_identity_that_cannot_sign_is_told_so() {
    let w = World::new();
    team(&w);
    let lm = w.open("lm", "li.min", "LM");
    assert_eq!(lm.signing_problem(ENG).unwrap(), None);
    drop(lm);
    // li.min's copy with another key, then with none.
    let mut lm = App::open(&w.path("lm")).unwrap();
    lm.set_identity_key(Some(&w.key("wang.wu"))).unwrap();
    let m = lm.signing_problem(ENG).unwrap().unwrap();
    assert!(
        m.en.contains("not the one registered for li.min") && m.zh.contains("不是"),
        "{m:?}"
    );
    lm.set_identity_key(None).unwrap();
    let m = lm.signing_problem(ENG).unwrap().unwrap();
    assert!(m.en.contains("no signing key"), "{m:?}");
    // Someone on no team.
    lm.set_identity("wang.wu", "王五", "WW").unwrap();
    let m = lm.signing_problem(ENG).unwrap().unwrap();
    assert!(m.en.contains("not on the team"), "{m:?}");
    let d = cscaudit::tui::data::Data::load(&lm, ENG).unwrap();
    assert_eq!(d.signing.as_ref(), Some(&m));
}

/// Found by an outside review: a batch "by the lead" that registers the
/// attacker's key for the lead and is signed with it. The lead has a key in
/// force: only that key proves the lead's batches.
#[test]
fn a_batch_cannot_bring_its_own_key_for_someone_who_has_one() {
    let w = World::new();
    team(&w);
    let mut f = Files::read(&w.path("lead.zip"));
    let heads = f.heads();
    let lead_next = heads.iter().find(|h| h.actor == "zhang.wei").unwrap().seq + 1;
    let ww_pub = pubkey(&w.key("wang.wu"));
    let member = |a: &str| EntityId::new(Kind::Member, format!("{ENG}/{a}"));
    f.forge(
        "zhang.wei",
        Some(&w.signer("wang.wu")),
        lead_next,
        now_ms(),
        vec![
            (member("zhang.wei"), set("key", ww_pub.trim())),
            (member("li.min"), set("key", cscaudit::app::REVOKED)),
        ],
        None,
    );
    f.write(&w.path("own-key.zip"));
    refused(
        &w,
        "lm",
        &w.path("own-key.zip"),
        &["zhang.wei", "signature does not verify"],
    );
}

/// Found by an outside review: an author's numbers are theirs across
/// engagements; a batch reusing numbers this copy holds for other changes is
/// refused, not half-merged.
#[test]
fn numbers_reused_in_another_engagement_are_refused() {
    let w = World::new();
    team(&w);
    // li.min signs a batch of a second engagement with numbers she used in T1.
    let lm = w.open("lm", "li.min", "LM");
    lm.raise_finding(ENG, finding(Grade::Minor, "T1 的发现项", false))
        .unwrap();
    let used = lm
        .all_ops()
        .unwrap()
        .iter()
        .filter(|o| o.id.actor == "li.min")
        .map(|o| o.id.seq)
        .min()
        .unwrap();
    export(&lm, ENG, &w.path("lm.zip"));
    drop(lm);
    let zw = w.open("zw", "zhang.wei", "ZW");
    bundle::import(&zw, &w.path("lm.zip")).unwrap();
    drop(zw);
    let mut f = Files::read(&w.path("lead.zip"));
    // Starting inside her first batch (not at its start: that is caught as
    // "another batch with the same numbers").
    f.forge(
        "li.min",
        Some(&w.signer("li.min")),
        used + 2,
        now_ms(),
        vec![(EntityId::new(Kind::Finding, "LM-001"), set("title", "改写"))],
        None,
    );
    f.write(&w.path("reuse.zip"));
    refused(
        &w,
        "zw",
        &w.path("reuse.zip"),
        &["already used here by other changes of li.min"],
    );
}

/// Found by an outside review: once a key is registered, an unsigned batch
/// naming only history from before it (when the team did not sign yet) is
/// refused.
#[test]
fn unsigned_batches_end_when_the_first_key_is_registered() {
    let w = World::new();
    let mut zw = App::open(&w.path("zw")).unwrap();
    zw.set_identity("zhang.wei", "张伟", "ZW").unwrap();
    zw.create_engagement(
        common::new_engagement(ENG, "先无密钥"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    zw.add_member(ENG, "li.min", "李敏", "LM", Role::Auditor, None).unwrap();
    export(&zw, ENG, &w.path("keyless.zip"));
    // Signing adopted later: the lead registers keys (their own, then li.min's).
    zw.set_identity_key(Some(&w.key("zhang.wei"))).unwrap();
    zw.set_member_key(ENG, "zhang.wei", &pubkey(&w.key("zhang.wei")))
        .unwrap();
    drop(zw);
    // An outsider writes "as li.min", unsigned, after the keyless history only.
    let mut f = Files::read(&w.path("keyless.zip"));
    f.forge(
        "li.min",
        None,
        1,
        now_ms(),
        vec![(EntityId::new(Kind::Member, format!("{ENG}/puppet")), Change::Create)],
        None,
    );
    f.write(&w.path("backdated.zip"));
    refused(&w, "zw", &w.path("backdated.zip"), &["not signed", "signs its changes"]);
}

#[test]
fn issuing_on_a_certification_audit_needs_two_registered_auditors_on_every_copy() {
    let w = World::new();
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.create_engagement(
        cscaudit::app::NewEngagement {
            kind: cscaudit::model::engagement::EngagementKind::Stage2,
            ..common::new_engagement("C1", "认证审核")
        },
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    // One registered auditor: li.min (the lead has no registration yet).
    zw.add_member_keyed(
        "C1",
        "li.min",
        "李敏",
        "LM",
        Role::Auditor,
        Some("CCAA-2"),
        Some(&pubkey(&w.key("li.min"))),
    )
    .unwrap();
    export(&zw, "C1", &w.path("c1.zip"));
    drop(zw);
    let lm = w.open("lm", "li.min", "LM");
    bundle::import(&lm, &w.path("c1.zip")).unwrap();
    let err = lm
        .raise_finding("C1", finding(Grade::Minor, "单人开具", true))
        .unwrap_err()
        .message()
        .en;
    assert!(err.contains("two"), "{err}");
    drop(lm);
    let next = next_seq(&w);
    // Her batch issuing a finding anyway: refused by the lead's copy.
    let mut f = Files::read(&w.path("c1.zip"));
    let id = EntityId::new(Kind::Finding, "C1/LM-900");
    f.forge_in(
        "C1",
        "li.min",
        Some(&w.signer("li.min")),
        next,
        now_ms(),
        vec![
            (id.clone(), Change::Create),
            (id.clone(), set("engagement", "C1")),
            (id.clone(), set("grade", "minor")),
            (id.clone(), set("title", "单人开具")),
            (id.clone(), set("status", "issued")),
        ],
        None,
    );
    f.write(&w.path("issued-alone.zip"));
    refused(
        &w,
        "zw",
        &w.path("issued-alone.zip"),
        &["1 registered auditor(s)", "two are required"],
    );
    // With the lead's registration recorded, the same move goes through.
    let zw = w.open("zw", "zhang.wei", "ZW");
    zw.add_member("C1", "zhang.wei", "zhang.wei", "ZW", Role::Lead, Some("CCAA-1"))
        .unwrap();
    export(&zw, "C1", &w.path("c1-two.zip"));
    drop(zw);
    let lm = w.open("lm", "li.min", "LM");
    bundle::import(&lm, &w.path("c1-two.zip")).unwrap();
    let f = lm.raise_finding("C1", finding(Grade::Minor, "两人在场", true)).unwrap();
    export(&lm, "C1", &w.path("c1-issued.zip"));
    drop(lm);
    let zw = w.open("zw", "zhang.wei", "ZW");
    let r = bundle::import(&zw, &w.path("c1-issued.zip")).unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    assert_eq!(zw.finding(&f.reference).unwrap().status.as_str(), "issued");
}
