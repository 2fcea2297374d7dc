//! The auditee in the loop, on the demo with its real keys and real sled
//! databases: the lead sends evidence requests to the auditee's liaison
//! (陈静, auditee contact) in a bundle encrypted to her key; she answers
//! with a file and exports back; the lead's import checks every hash and
//! the item is submitted; a returned item is hers again; her attempt to
//! assess an indicator, signed with her real key, is refused on the lead's
//! copy. And `digest` on the demo.

mod common;

use common::files::Files;
use common::{cli, cli_stdout};
use cscaudit::app::App;
use cscaudit::app::digest::DigestOptions;
use cscaudit::app::request::NewRequest;
use cscaudit::bundle::{self, ExportOptions};
use cscaudit::crypto::sign::Signer;
use cscaudit::model::ops::{Change, EntityId, Kind, Value};
use cscaudit::model::request::RequestStatus;
use std::path::Path;

const ENG: &str = "DEMO-S2";

fn demo(dir: &Path) -> App {
    let mut app = App::open(dir).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    app
}

/// A copy acting as a demo person, signing with their demo key.
fn as_person(dir: &Path, keys: &Path, actor: &str, name: &str, initials: &str) -> App {
    let mut app = App::open(dir).unwrap();
    app.set_identity(actor, name, initials).unwrap();
    app.set_identity_key(Some(&keys.join(actor))).unwrap();
    app
}

#[test]
fn a_request_goes_to_the_liaison_encrypted_comes_back_answered_and_a_returned_item_is_hers_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (lead_dir, cj_dir, out) = (tmp.path().join("lead"), tmp.path().join("cj"), tmp.path().join("out"));
    let keys = lead_dir.join("demo-keys");
    let lead = demo(&lead_dir);
    let asked = lead
        .add_request(
            ENG,
            NewRequest {
                indicator: Some("ST-01".into()),
                text: "话务预测与实际在岗人数（近三个月）".into(),
                due: Some(lead.today() + jiff::Span::new().days(10)),
                addressee: None,
            },
        )
        .unwrap();
    assert_eq!(asked.status, RequestStatus::Draft);
    assert_eq!(asked.addressee, "chen.jing", "the demo's only auditee contact");
    let from_catalogue = lead
        .add_catalogue_requests(ENG, &["CH-01".to_string()], None, None, true)
        .unwrap();
    assert_eq!(from_catalogue.len(), 1);
    assert!(
        from_catalogue[0].text.contains("渠道清单"),
        "{}",
        from_catalogue[0].text
    );
    let sent = bundle::send_requests(&lead, ENG, None, &out, cscaudit::config::Lang::Zh).unwrap();
    assert_eq!((sent.addressee.as_str(), sent.items), ("chen.jing", 2));
    assert_eq!(
        sent.bundle.encrypted_to,
        Some(2),
        "the addressee's key and the sender's"
    );
    assert!(cscaudit::crypto::seal::file_is_sealed(&sent.bundle.path).unwrap());
    // The list reads without cscaudit: both items in the page and the workbook.
    let html = std::fs::read_to_string(&sent.html).unwrap();
    assert!(html.contains(&asked.number) && html.contains("话务预测"), "{html}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&sent.xlsx).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range("资料请求 Requests").unwrap();
    assert_eq!(sheet.rows().count(), 3, "a header and two items");
    assert_eq!(lead.request(ENG, &asked.number).unwrap().status, RequestStatus::Open);
    drop(lead);

    // The liaison opens it with her key only (another auditor's cannot).
    let other = as_person(&tmp.path().join("wl"), &keys, "wang.lei", "王磊", "WL");
    let e = bundle::import(&other, &sent.bundle.path).unwrap_err();
    assert!(e.message().en.contains("not to your key"), "{}", e.message().en);
    drop(other);
    let cj = as_person(&cj_dir, &keys, "chen.jing", "陈静 Chen Jing", "CJ");
    let got = bundle::import(&cj, &sent.bundle.path).unwrap();
    assert!(got.decrypted && got.joined && got.refused.is_empty());
    let file = tmp.path().join("forecast.csv");
    std::fs::write(&file, "month,forecast,actual\n2026-11,412,398\n").unwrap();
    let answered = cj
        .answer_request(ENG, &asked.number, "11 月预测与实际", &[file.as_path()])
        .unwrap();
    assert_eq!(answered.status, RequestStatus::Submitted);
    assert_eq!(answered.evidence.len(), 1);
    // She may not judge her own answer, nor assess.
    let e = cj
        .move_request(ENG, &asked.number, RequestStatus::Accepted, "")
        .unwrap_err();
    assert!(
        e.message().en.contains("only the lead or an auditor"),
        "{}",
        e.message().en
    );
    let e = cj
        .record_assessment(
            ENG,
            "CH-01",
            cscaudit::app::AssessmentInput {
                result: Some(cscaudit::model::assessment::AssessmentResult::Nonconforming),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(e.message().en.contains("auditee's contact"), "{}", e.message().en);
    let back = tmp.path().join("back.zip");
    let to = cj.export_recipients(ENG, &[], false).unwrap();
    bundle::export(
        &cj,
        ENG,
        &back,
        &ExportOptions {
            encrypt: Some(std::sync::Arc::new(to)),
            ..Default::default()
        },
    )
    .unwrap();
    drop(cj);

    // The lead's import checks the file's hash and sees the item submitted.
    let lead = as_person(&lead_dir, &keys, "zhang.wei", "张伟 Zhang Wei", "ZW");
    let got = bundle::import(&lead, &back).unwrap();
    assert!(got.decrypted && got.refused.is_empty(), "{:?}", got.refused);
    assert_eq!(got.evidence_added, 1);
    let r = lead.request(ENG, &asked.number).unwrap();
    assert_eq!(r.status, RequestStatus::Submitted);
    assert_eq!(r.answer, "11 月预测与实际");
    let sha = &r.evidence[0];
    let copy = lead
        .export_evidence(ENG, sha, &tmp.path().join("copy.csv"), false)
        .unwrap();
    let bytes = std::fs::read(copy).unwrap();
    assert_eq!(bytes, std::fs::read(&file).unwrap());
    use sha2::Digest;
    assert_eq!(
        &hex::encode(sha2::Sha256::digest(&bytes)),
        sha,
        "the file as she sent it"
    );
    // Returned with a comment: hers to answer again, and overdue shows.
    let e = lead
        .move_request(ENG, &asked.number, RequestStatus::Returned, " ")
        .unwrap_err();
    assert!(e.message().en.contains("says why"), "{}", e.message().en);
    let r = lead
        .move_request(ENG, &asked.number, RequestStatus::Returned, "缺少 10 月数据")
        .unwrap();
    assert_eq!(
        (r.status, r.decided_by.as_str()),
        (RequestStatus::Returned, "zhang.wei")
    );
    assert!(r.status.awaits_auditee());
    // Sent again (the returned item and the one still open), answered again.
    let again = bundle::send_requests(&lead, ENG, None, &tmp.path().join("out2"), cscaudit::config::Lang::En).unwrap();
    assert_eq!(again.items, 2);
    drop(lead);
    let cj = as_person(&cj_dir, &keys, "chen.jing", "陈静 Chen Jing", "CJ");
    bundle::import(&cj, &again.bundle.path).unwrap();
    assert_eq!(cj.request(ENG, &asked.number).unwrap().comment, "缺少 10 月数据");
    let r = cj
        .answer_request(ENG, &asked.number, "补充 10 月", &[file.as_path()])
        .unwrap();
    assert_eq!(r.status, RequestStatus::Submitted);
    // Plain this time: the forger below starts from it.
    let back2 = tmp.path().join("back2.zip");
    bundle::export(&cj, ENG, &back2, &ExportOptions::default()).unwrap();
    drop(cj);
    let lead = as_person(&lead_dir, &keys, "zhang.wei", "张伟 Zhang Wei", "ZW");
    bundle::import(&lead, &back2).unwrap();
    assert_eq!(lead.request(ENG, &asked.number).unwrap().answer, "补充 10 月");
    let r = lead
        .move_request(ENG, &asked.number, RequestStatus::Returned, "仍缺少数据")
        .unwrap();
    assert_eq!(r.status, RequestStatus::Returned);
    drop(lead);
    // The CLI says the same.
    let listed = cli_stdout(&lead_dir, &["request", "list", "-e", ENG, "--open", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let numbers: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_str().unwrap())
        .collect();
    assert!(numbers.contains(&asked.number.as_str()), "{numbers:?}");
    let said = cli(&lead_dir)
        .args(["request", "accept", &asked.number, "-e", ENG])
        .output()
        .unwrap();
    assert!(
        !said.status.success(),
        "a returned item is not accepted before it is answered again"
    );

    // A forged batch: the liaison, with her real key, assesses an indicator
    // and accepts her own answer. The lead's copy refuses it.
    let mut f = Files::read(&back2);
    let next = f
        .batches()
        .iter()
        .filter(|b| b.actor == "chen.jing")
        .map(|b| b.last())
        .max()
        .unwrap()
        + 1;
    let signer = Signer::load(&keys.join("chen.jing")).unwrap();
    let a = EntityId::new(Kind::Assessment, format!("{ENG}/CH-01"));
    let set = |field: &str, v: Value| Change::Set {
        field: field.into(),
        value: v,
    };
    f.forge(
        ENG,
        "chen.jing",
        &signer,
        next,
        vec![(a.clone(), set("result", "conforming".into()))],
    );
    f.write(&tmp.path().join("forged.zip"));
    let lead = as_person(&lead_dir, &keys, "zhang.wei", "张伟 Zhang Wei", "ZW");
    let before = lead.assessment(ENG, "CH-01").unwrap().result;
    let e = bundle::import(&lead, &tmp.path().join("forged.zip")).unwrap_err();
    let said = e.message().en;
    assert!(
        said.contains("every change was refused") && said.contains("chen.jing is the auditee's contact"),
        "{said}"
    );
    assert_eq!(lead.assessment(ENG, "CH-01").unwrap().result, before);
}

impl common::files::Files {
    fn forge(&mut self, scope: &str, author: &str, signer: &Signer, first: u64, changes: Vec<(EntityId, Change)>) {
        let now = jiff::Timestamp::now().as_millisecond() as u64;
        self.forge_in(scope, author, Some(signer), first, now, changes, None);
    }
}

#[test]
fn the_digest_of_the_demo_lists_its_overdue_actions_and_the_outsourced_centres_surveillance() {
    let tmp = tempfile::tempdir().unwrap();
    let app = demo(tmp.path());
    let d = app.digest(&DigestOptions::default()).unwrap();
    // Every overdue open action of the demo, as the status report counts them.
    let eng = app.engagement(ENG).unwrap();
    let (_, totals) = app.status_summary(&eng, 50).unwrap();
    let demo_overdue = d.overdue_actions.iter().filter(|a| a.engagement == ENG).count();
    assert_eq!(demo_overdue, totals.overdue);
    assert!(demo_overdue > 0);
    assert!(d.overdue_actions.iter().all(|a| a.days_overdue > 0 && a.due < d.today));
    // The outsourced centre's certificate: its first surveillance is within
    // the window.
    let s = d
        .surveillance_due
        .iter()
        .find(|p| p.programme == "P-WAIBAO")
        .unwrap_or_else(|| panic!("{:?}", d.surveillance_due));
    assert!(s.days_left <= 60, "{s:?}");
    drop(app);
    // The CLI's JSON has the keys a script reads.
    let out = cli_stdout(tmp.path(), &["digest", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "overdue_actions",
        "requests_overdue",
        "surveillance_due",
        "registrations_expiring",
        "certificates_expiring",
    ] {
        assert!(v.get(k).is_some_and(|x| x.is_array()), "{k} in {out}");
    }
    assert_eq!(v["overdue_actions"].as_array().unwrap().len(), d.overdue_actions.len());
    // --since later than every due date leaves the overdue lists empty.
    let out = cli_stdout(tmp.path(), &["digest", "--json", "--since", &d.today.to_string()]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["overdue_actions"].as_array().unwrap().len(), 0);
    // In Chinese, in words.
    let out = cli(tmp.path()).args(["--lang", "zh", "digest"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("逾期纠正措施") && text.contains("监督审核到期"), "{text}");
}

#[test]
fn a_request_to_a_contact_without_a_key_is_not_sent_and_stays_a_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let lead = demo(tmp.path());
    lead.add_member(
        ENG,
        "zhou.qiang",
        "周强",
        "ZQ",
        cscaudit::model::engagement::Role::AuditeeContact,
        None,
    )
    .unwrap();
    let r = lead
        .add_request(
            ENG,
            NewRequest {
                text: "组织架构图".into(),
                addressee: Some("zhou.qiang".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let out = tmp.path().join("out");
    let e = bundle::send_requests(&lead, ENG, Some("zhou.qiang"), &out, cscaudit::config::Lang::En).unwrap_err();
    assert!(e.message().en.contains("no registered key"), "{}", e.message().en);
    assert_eq!(
        lead.request(ENG, &r.number).unwrap().status,
        RequestStatus::Draft,
        "nothing opened"
    );
    assert!(!out.exists(), "nothing written");
}

/// The same round trip in the TUI's requests view (`r`): the lead drafts
/// with `a` and sends with `s` (a job: encrypted bundle and list); the
/// liaison, on her copy, answers with Enter (a file and a note); the lead
/// imports and returns the answer with Enter, saying why; what is not yours
/// to do is said, not done.
#[test]
fn the_tui_drafts_sends_answers_and_returns_a_request() {
    use common::tui::{press, setup, typ};
    use cscaudit::config::Lang;
    use cscaudit::tui::state::Popup;
    use cscaudit::tui::{initial_state, step};
    let tmp = tempfile::tempdir().unwrap();
    let (lead_dir, cj_dir, out) = (tmp.path().join("lead"), tmp.path().join("cj"), tmp.path().join("发出"));
    let keys = lead_dir.join("demo-keys");
    let mut lead = demo(&lead_dir);
    let mut s = initial_state(&lead, &setup(), Lang::Zh, Some(ENG)).unwrap();
    press(&mut lead, &mut s, "1 r");
    assert!(matches!(s.popup, Some(Popup::Requests { .. })), "{:?}", s.status);
    press(&mut lead, &mut s, "a");
    typ(&mut lead, &mut s, "近三个月的排班表与实际在岗人数");
    // An indicator in lower case, a due date two weeks from today.
    press(&mut lead, &mut s, "tab ctrl-u");
    typ(&mut lead, &mut s, "st-01");
    press(&mut lead, &mut s, "tab");
    typ(&mut lead, &mut s, "+2w");
    press(&mut lead, &mut s, "ctrl-s");
    assert!(
        matches!(s.popup, Some(Popup::Requests { .. })),
        "back to the view: {:?}",
        s.popup
    );
    let drafted = lead.requests(ENG).unwrap();
    assert_eq!(drafted.len(), 1);
    let number = drafted[0].number.clone();
    assert_eq!(
        (
            drafted[0].status,
            drafted[0].indicator.as_str(),
            drafted[0].addressee.as_str()
        ),
        (RequestStatus::Draft, "ST-01", "chen.jing")
    );
    assert_eq!(drafted[0].due, Some(lead.today() + jiff::Span::new().days(14)));

    press(&mut lead, &mut s, "r s ctrl-u");
    typ(&mut lead, &mut s, out.to_str().unwrap());
    press(&mut lead, &mut s, "ctrl-s");
    assert!(
        matches!(s.popup, Some(Popup::Requests { .. })),
        "back to the view: {:?}",
        s.popup
    );
    assert_eq!(lead.request(ENG, &number).unwrap().status, RequestStatus::Open);
    assert_eq!(
        s.data.as_ref().unwrap().requests[0].status,
        RequestStatus::Open,
        "the TUI reads the opened request again"
    );
    let sealed: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".zip"))
        .collect();
    assert_eq!(sealed.len(), 1, "one bundle in {out:?}");
    assert!(std::fs::read(&sealed[0]).unwrap().starts_with(b"age-encryption.org/v1"));
    // The lead cannot answer it (not the addressee): Enter offers the auditors' moves.
    press(&mut lead, &mut s, "r enter");
    match &s.popup {
        Some(Popup::Form(f)) => assert!(f.title_zh.contains(&number), "{}", f.title_zh),
        other => panic!("{other:?}"),
    }
    press(&mut lead, &mut s, "esc");
    drop(s);
    drop(lead);

    // The liaison answers on her copy, in her TUI.
    let mut cj = as_person(&cj_dir, &keys, "chen.jing", "陈静 Chen Jing", "CJ");
    bundle::import(&cj, &sealed[0]).unwrap();
    let file = tmp.path().join("排班表.csv");
    std::fs::write(&file, "month,planned,on_duty\n2026-10,412,398\n").unwrap();
    let mut t = initial_state(&cj, &setup(), Lang::Zh, Some(ENG)).unwrap();
    // Drafting and sending are the auditors': said, no form.
    press(&mut cj, &mut t, "1 r a");
    assert!(matches!(t.popup, Some(Popup::Requests { .. })), "{:?}", t.popup);
    assert!(t.status.as_ref().unwrap().text.contains("审核"), "{:?}", t.status);
    press(&mut cj, &mut t, "enter");
    assert!(matches!(t.popup, Some(Popup::Form(_))), "{:?}", t.status);
    step(
        &mut cj,
        &mut t,
        cscaudit::tui::state::Input::Paste(file.display().to_string()),
    );
    press(&mut cj, &mut t, "tab");
    typ(&mut cj, &mut t, "10 月排班表见附件");
    // What is asked stays under the fields while she types.
    let shown = common::tui::screen(&t, 120, 40);
    assert!(shown.contains("近三个月的排班表与实际在岗人数"), "{shown}");
    press(&mut cj, &mut t, "ctrl-s");
    assert!(
        matches!(t.popup, Some(Popup::Requests { .. })),
        "back to the view: {:?}",
        t.popup
    );
    let answered = cj.request(ENG, &number).unwrap();
    assert_eq!(
        (answered.status, answered.evidence.len()),
        (RequestStatus::Submitted, 1)
    );
    // Her answer is not hers to judge: Enter says so and opens nothing.
    press(&mut cj, &mut t, "r enter");
    assert!(!matches!(t.popup, Some(Popup::Form(_))), "{:?}", t.popup);
    let back = tmp.path().join("back.zip");
    bundle::export(&cj, ENG, &back, &ExportOptions::default()).unwrap();
    drop(t);
    drop(cj);

    // The lead imports and returns it, saying why; without a reason it is refused.
    let mut lead = App::open(&lead_dir).unwrap();
    bundle::import(&lead, &back).unwrap();
    let mut s = initial_state(&lead, &setup(), Lang::Zh, Some(ENG)).unwrap();
    press(&mut lead, &mut s, "1 r enter right ctrl-s");
    assert!(
        matches!(s.popup, Some(Popup::Form(_))),
        "a return without a comment stays open"
    );
    press(&mut lead, &mut s, "tab");
    typ(&mut lead, &mut s, "缺少 11 月数据");
    match &s.popup {
        Some(Popup::Form(f)) => assert!(
            f.error.is_none(),
            "the refusal goes once the values change: {:?}",
            f.error
        ),
        other => panic!("{other:?}"),
    }
    press(&mut lead, &mut s, "ctrl-s");
    assert!(
        matches!(s.popup, Some(Popup::Requests { .. })),
        "back to the view: {:?}",
        s.popup
    );
    let returned = lead.request(ENG, &number).unwrap();
    assert_eq!(
        (returned.status, returned.comment.as_str()),
        (RequestStatus::Returned, "缺少 11 月数据")
    );
}

/// The liaison's copy lists the requests addressed to her that were sent,
/// not the auditors' drafts (which travel in any bundle of the engagement):
/// `request list` and the TUI's view alike. The lead's copy lists them all.
#[test]
fn the_liaison_lists_her_sent_requests_not_the_auditors_drafts() {
    let tmp = tempfile::tempdir().unwrap();
    let (lead_dir, cj_dir) = (tmp.path().join("lead"), tmp.path().join("cj"));
    let keys = lead_dir.join("demo-keys");
    let lead = demo(&lead_dir);
    let ask = |text: &str| NewRequest {
        indicator: None,
        text: text.into(),
        due: None,
        addressee: None,
    };
    let sent = lead.add_request(ENG, ask("投诉台账（近三个月）")).unwrap();
    bundle::send_requests(&lead, ENG, None, &tmp.path().join("out"), cscaudit::config::Lang::Zh).unwrap();
    let draft = lead.add_request(ENG, ask("内部：先核对质检抽样方法")).unwrap();
    let all = tmp.path().join("all.zip");
    bundle::export(&lead, ENG, &all, &ExportOptions::default()).unwrap();
    assert_eq!(lead.my_requests(ENG).unwrap().len(), 2, "the lead sees both");
    drop(lead);
    let cj = as_person(&cj_dir, &keys, "chen.jing", "陈静 Chen Jing", "CJ");
    bundle::import(&cj, &all).unwrap();
    assert_eq!(cj.requests(ENG).unwrap().len(), 2, "both are in her copy's history");
    let mine: Vec<String> = cj.my_requests(ENG).unwrap().into_iter().map(|r| r.number).collect();
    assert_eq!(mine, std::slice::from_ref(&sent.number));
    let d = cscaudit::tui::data::Data::load(&cj, ENG).unwrap();
    assert_eq!(d.requests.len(), 1);
    drop(d);
    drop(cj);
    let listed = cli_stdout(&cj_dir, &["request", "list", "-e", ENG, "--json"]);
    assert!(
        listed.contains(&sent.number) && !listed.contains(&draft.number),
        "{listed}"
    );
}

/// `request add --due` takes what the TUI's forms take: a date, or days,
/// weeks or months from today (`+30d` was refused by the argument parser).
#[test]
fn the_cli_takes_a_relative_due_date_and_an_indicator_in_any_case() {
    let tmp = tempfile::tempdir().unwrap();
    drop(demo(tmp.path()));
    let out = cli_stdout(
        tmp.path(),
        &[
            "request",
            "add",
            "-e",
            ENG,
            "排班表",
            "--indicator",
            "st-01",
            "--due",
            "+30d",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = if v.is_array() { &v[0] } else { &v };
    let today = jiff::Zoned::now().date();
    assert_eq!(r["due"], (today + jiff::Span::new().days(30)).to_string(), "{out}");
    assert_eq!(r["indicator"], "ST-01", "{out}");
    let bad = cli(tmp.path())
        .args(["request", "add", "-e", ENG, "x", "--due", "next week"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("+30d"));
}

/// A request due in the past is asked about once, as an action's is, and
/// the list then shows its year (it read `01-01`).
#[test]
fn a_request_due_in_the_past_is_asked_about_and_listed_with_its_year() {
    use common::tui::{press, screen, setup, typ};
    use cscaudit::config::Lang;
    use cscaudit::tui::initial_state;
    use cscaudit::tui::state::Popup;
    let tmp = tempfile::tempdir().unwrap();
    let mut lead = demo(tmp.path());
    let mut s = initial_state(&lead, &setup(), Lang::Zh, Some(ENG)).unwrap();
    press(&mut lead, &mut s, "1 r a");
    typ(&mut lead, &mut s, "去年的应急演练记录");
    press(&mut lead, &mut s, "tab tab");
    typ(&mut lead, &mut s, "2020-01-01");
    press(&mut lead, &mut s, "ctrl-s");
    match &s.popup {
        Some(Popup::Form(f)) => assert!(f.error.as_deref().unwrap_or("").contains("过去"), "{:?}", f.error),
        other => panic!("asked first: {other:?}"),
    }
    assert!(
        lead.requests(ENG).unwrap().is_empty(),
        "nothing saved before the second save"
    );
    press(&mut lead, &mut s, "ctrl-s");
    assert!(matches!(s.popup, Some(Popup::Requests { .. })), "{:?}", s.popup);
    assert_eq!(lead.requests(ENG).unwrap()[0].due, Some(jiff::civil::date(2020, 1, 1)));
    let text = screen(&s, 120, 40);
    assert!(text.contains("2020-01-01"), "{text}");
}
