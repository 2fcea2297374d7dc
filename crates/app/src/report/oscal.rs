//! NIST OSCAL 1.2: `catalog.json` (the engagement's indicator catalogue),
//! `assessment-results.json` and `poam.json` (plan of action and milestones).
//!
//! Mapping (REFERENCE.md §6): indicators are controls, each with an
//! assessment objective `<control>_obj` that findings target; assessments
//! are observations (and a finding each with the determination); audit
//! findings are findings, nonconformities also risks whose remediations are
//! the corrective actions; POA&M items come from corrective actions (and
//! from open nonconformities that have none yet); evidence files are
//! back-matter resources with their SHA-256.
//!
//! UUIDs are v5, derived from record ids, so a re-export does not churn.
//! OSCAL forbids empty arrays and empty or multi-line titles: [`prune`] and
//! [`line`] keep every document valid whatever the records hold.
//!
//! Length: three OSCAL documents from one mapping (about 660 lines), then their
//! tests.

use super::data::ReportData;
use crate::config::Lang;
use crate::model::assessment::AssessmentResult;
use crate::model::finding::{Finding, FindingStatus};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::Write;

pub const OSCAL_VERSION: &str = "1.2.1";
/// The namespace of cscaudit's own property names.
const NS: &str = "urn:cscaudit:oscal";
/// The v5 namespace of every UUID this module makes.
const UUID_NS: uuid::Uuid = uuid::uuid!("6f1c8f0e-2b8a-4c7e-9a55-0c3b1d6f7a21");

/// The three documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OscalDoc {
    Catalog,
    AssessmentResults,
    Poam,
}

impl OscalDoc {
    pub const ALL: [OscalDoc; 3] = [OscalDoc::Catalog, OscalDoc::AssessmentResults, OscalDoc::Poam];
    /// Its path in a bundle.
    pub fn path(self) -> &'static str {
        match self {
            OscalDoc::Catalog => "oscal/catalog.json",
            OscalDoc::AssessmentResults => "oscal/assessment-results.json",
            OscalDoc::Poam => "oscal/poam.json",
        }
    }
}

fn uid(kind: &str, key: &str) -> String {
    uuid::Uuid::new_v5(&UUID_NS, format!("{kind}:{key}").as_bytes()).to_string()
}

/// An OSCAL token (ids, names): letters, digits, `.`, `-`, `_`, not
/// starting with a digit or punctuation.
pub fn token(id: &str) -> String {
    let mut t: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !t.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        t.insert(0, '_');
    }
    t
}

/// A title or property value: one line, control characters visible,
/// trimmed, never empty.
fn line(s: &str) -> String {
    let v = crate::text::visible(&s.replace(['\n', '\r', '\t'], " ")).into_owned();
    let v = v.trim();
    if v.is_empty() { "—".into() } else { v.into() }
}

/// Prose: lines kept, control characters visible.
fn prose(s: &str) -> String {
    crate::text::visible_lines(s).into_owned()
}

/// A property of cscaudit's namespace (none for an empty value).
fn prop(name: &str, value: &str) -> Option<Value> {
    let v = line(value);
    (v != "—").then(|| json!({"name": name, "ns": NS, "value": v}))
}

fn props(list: Vec<Option<Value>>) -> Value {
    Value::Array(list.into_iter().flatten().collect())
}

/// Midnight of a civil day in the system's zone, as OSCAL's date-time.
fn at(d: Date) -> String {
    // Looked up once: the system zone is read from disk.
    static TZ: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    let tz = TZ.get_or_init(jiff::tz::TimeZone::system).clone();
    d.to_zoned(tz)
        .map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_else(|_| format!("{d}T00:00:00Z"))
}

fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Remove every empty array and null (OSCAL allows neither; an empty
/// object such as `include-all` is meaningful and stays).
pub fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for x in m.values_mut() {
                prune(x);
            }
            m.retain(|_, x| match x {
                Value::Array(a) => !a.is_empty(),
                Value::Null => false,
                _ => true,
            });
        }
        Value::Array(a) => a.iter_mut().for_each(prune),
        _ => {}
    }
}

fn metadata(r: &ReportData, title: String, version: &str) -> Value {
    let eng = &r.engagement;
    let mut parties = vec![json!({
        "uuid": uid("auditee", &eng.id),
        "type": "organization",
        "name": line(&eng.auditee),
    })];
    for m in &r.team {
        parties.push(json!({
            "uuid": uid("member", &m.actor),
            "type": "person",
            "name": line(if m.name.is_empty() { &m.actor } else { &m.name }),
            "props": props(vec![
                prop("actor", &m.actor),
                prop("role", m.role.as_str()),
                m.certificate_no.as_deref().and_then(|c| prop("auditor-certificate", c)),
            ]),
        }));
    }
    json!({
        "title": line(&title),
        "last-modified": now(),
        "version": line(version),
        "oscal-version": OSCAL_VERSION,
        "parties": parties,
    })
}

fn control_id(indicator: &str) -> String {
    token(indicator)
}

fn objective_id(indicator: &str) -> String {
    format!("{}_obj", token(indicator))
}

fn catalog(r: &ReportData, zh: bool) -> Value {
    let cat = &r.catalog;
    let control = |ind: &crate::model::catalog::Indicator| {
        let target = ind.target_text(zh);
        json!({
            "id": control_id(&ind.id),
            "class": "indicator",
            "title": line(ind.name(zh)),
            "props": props(vec![
                Some(json!({"name": "label", "value": line(&ind.id)})),
                prop("unit", ind.unit.label(zh)),
                prop("provenance", &ind.provenance),
            ]),
            "parts": [
                {
                    "id": format!("{}_smt", control_id(&ind.id)),
                    "name": "statement",
                    "prose": prose(ind.name(zh)),
                },
                {
                    "id": objective_id(&ind.id),
                    "name": "assessment-objective",
                    "prose": prose(&match (&target, ind.target_basis(zh)) {
                        (Some(t), Some(b)) => format!("{t} — {b}"),
                        (Some(t), None) => t.clone(),
                        (None, _) => ind.name(zh).to_string(),
                    }),
                },
                {
                    "id": format!("{}_gdn", control_id(&ind.id)),
                    "name": "guidance",
                    "prose": prose(ind.evidence_hint(zh)),
                },
            ],
        })
    };
    fn group(
        cat: &crate::model::catalog::Catalog,
        g: &crate::model::catalog::Group,
        zh: bool,
        control: &dyn Fn(&crate::model::catalog::Indicator) -> Value,
    ) -> Value {
        json!({
            "id": token(&g.id),
            "class": "group",
            "title": line(g.name(zh)),
            "groups": cat.children(&g.id).map(|c| group(cat, c, zh, control)).collect::<Vec<_>>(),
            "controls": cat.indicators.iter().filter(|i| i.group == g.id).map(control).collect::<Vec<_>>(),
        })
    }
    let groups: Vec<Value> = cat.top_groups().map(|g| group(cat, g, zh, &control)).collect();
    json!({"catalog": {
        "uuid": uid("catalog", &format!("{}@{}", cat.id, cat.version)),
        "metadata": {
            "title": line(cat.title(zh)),
            "last-modified": now(),
            "version": line(&cat.version),
            "oscal-version": OSCAL_VERSION,
            "props": props(vec![
                prop("catalog-id", &cat.id),
                cat.provisional.then(|| json!({"name": "provisional", "ns": NS, "value": "true"})),
                cat.standard.as_deref().and_then(|s| prop("standard", s)),
            ]),
        },
        "groups": groups,
    }})
}

/// The back-matter: the audit plan (the engagement), the catalogue and
/// every evidence file with its hash.
fn back_matter(r: &ReportData, zh: bool) -> Value {
    let eng = &r.engagement;
    let mut res = vec![
        json!({
            "uuid": uid("plan", &eng.id),
            "title": line(&format!("{} {}", if zh { "审核项目" } else { "Engagement" }, eng.id)),
            "description": prose(&format!(
                "{} · {} · {} – {}",
                eng.kind.label(zh),
                eng.site,
                super::data::date(eng.period_start),
                super::data::date(eng.period_end)
            )),
        }),
        json!({
            "uuid": uid("catalog-resource", &format!("{}@{}", r.catalog.id, r.catalog.version)),
            "title": line(r.catalog.title(zh)),
            "rlinks": [{"href": "catalog.json", "media-type": "application/oscal.catalog+json"}],
        }),
    ];
    for e in &r.evidence {
        res.push(json!({
            "uuid": uid("evidence", &e.sha256),
            "title": line(&e.name),
            "description": prose(&e.note),
            "props": props(vec![prop("captured-by", &e.captured_by), prop("captured-at", &e.captured_at)]),
            "rlinks": [{
                "href": format!("../evidence/{}", e.sha256),
                "media-type": line(if e.media_type.is_empty() { "application/octet-stream" } else { &e.media_type }),
                "hashes": [{"algorithm": "SHA-256", "value": e.sha256}],
            }],
        }));
    }
    json!({"resources": res})
}

fn evidence_refs(r: &ReportData, shas: &[String]) -> Vec<Value> {
    shas.iter()
        .map(|sha| {
            json!({
                "href": format!("#{}", uid("evidence", sha)),
                "description": line(r.evidence_name(sha)),
            })
        })
        .collect()
}

fn risk_status(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Draft => "investigating",
        FindingStatus::Issued | FindingStatus::Responded | FindingStatus::Reopened => "open",
        FindingStatus::PlanAccepted | FindingStatus::Implemented => "remediating",
        FindingStatus::Verified | FindingStatus::Closed | FindingStatus::Withdrawn => "closed",
    }
}

/// The risk of a nonconformity, with its corrective actions as
/// remediations (none for observations and improvements).
fn risk(r: &ReportData, f: &Finding, zh: bool) -> Option<Value> {
    f.grade.is_nonconformity().then(|| {
            let remediations: Vec<Value> = r
                .actions_of(&f.reference)
                .map(|a| {
                    let lifecycle = if a.status.is_open() { "planned" } else { "completed" };
                    json!({
                        "uuid": uid("action", &a.entity),
                        "lifecycle": lifecycle,
                        "title": line(&format!("{} · {}", a.id, a.description)),
                        "description": prose(&a.description),
                        "props": props(vec![
                            prop("owner", &a.owner),
                            prop("status", a.status.as_str()),
                            a.verification.as_ref().map(|v| json!({
                                "name": "verified", "ns": NS,
                                "value": format!("{} {} {}", if v.effective { "effective" } else { "not-effective" }, v.on, line(&v.by)),
                            })),
                        ]),
                        "tasks": a.due.map(|d| vec![json!({
                            "uuid": uid("action-due", &a.entity),
                            "type": "milestone",
                            "title": if zh { "整改期限" } else { "Due" },
                            "timing": {"on-date": {"date": at(d)}},
                        })]).unwrap_or_default(),
                    })
                })
                .collect();
            json!({
                "uuid": uid("risk", &f.entity),
                "title": line(&format!("{} · {}", f.reference, f.title)),
                "description": prose(&f.statement),
                "statement": prose(if f.criterion.is_empty() { &f.statement } else { &f.criterion }),
                "props": props(vec![prop("grade", f.grade.as_str())]),
                "status": risk_status(f.status),
                "deadline": f.closure_due.map(at),
                "remediations": remediations,
            })
    })
}

/// An audit finding, targeting the objective of its first indicator.
fn finding(r: &ReportData, f: &Finding, observed: &BTreeSet<&str>) -> Value {
    let is_nc = f.grade.is_nonconformity();
    let first = f.indicators.first().map(String::as_str).unwrap_or_default();
    let state = if is_nc { "not-satisfied" } else { "satisfied" };
    let mut finding = json!({
        "uuid": uid("finding", &f.entity),
        "title": line(&format!("{} · {}", f.reference, f.title)),
        "description": prose(&f.statement),
        "props": props(vec![
            prop("reference", &f.reference),
            prop("grade", f.grade.as_str()),
            prop("status", f.status.as_str()),
            prop("indicators", &f.indicators.join(" ")),
            prop("raised-by", &f.raised_by),
        ]),
        "target": {
            "type": "objective-id",
            "target-id": objective_id(first),
            "status": {"state": state},
        },
        "related-observations": if observed.contains(first) {
            vec![json!({"observation-uuid": uid("observation", &format!("{}/{first}", r.engagement.id))})]
        } else {
            vec![]
        },
        "related-risks": if is_nc { vec![json!({"risk-uuid": uid("risk", &f.entity)})] } else { vec![] },
    });
    if !f.criterion.is_empty() {
        finding["remarks"] = Value::String(prose(&f.criterion));
    }
    finding
}

/// Observations (one per assessed indicator), determinations (a finding per
/// indicator with its state) and the reviewed controls.
struct Observed {
    observations: Vec<Value>,
    determinations: Vec<Value>,
    reviewed: Vec<Value>,
}

fn observed(r: &ReportData, zh: bool) -> Observed {
    let eng = &r.engagement;
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let mut observations = Vec::new();
    let mut determinations = Vec::new();
    let mut reviewed = Vec::new();
    let collected = at(eng.period_end.unwrap_or(r.today));
    for a in &r.assessments {
        if a.result == AssessmentResult::NotAssessed {
            continue;
        }
        let Some(ind) = r.catalog.indicator(&a.indicator) else {
            continue;
        };
        reviewed.push(json!({"control-id": control_id(&ind.id)}));
        let key = format!("{}/{}", eng.id, a.indicator);
        let measured = a.measured.map(|v| ind.unit.format(v, zh));
        let mut text = format!("{}: {}", ind.name(zh), a.result.label(zh));
        if let Some(m) = &measured {
            text.push_str(&format!(" · {} {m}", t("measured", "实测")));
        }
        if !a.notes.is_empty() {
            text.push_str("\n\n");
            text.push_str(&a.notes);
        }
        let mut methods = vec!["EXAMINE"];
        if !a.method.is_empty() {
            methods.push("TEST");
        }
        observations.push(json!({
            "uuid": uid("observation", &key),
            "title": line(&format!("{} {}", ind.id, ind.name(zh))),
            "description": prose(&text),
            "props": props(vec![
                prop("result", a.result.as_str()),
                measured.as_deref().and_then(|m| prop("measured", m)),
                prop("method", &a.method),
                a.assignee.as_deref().and_then(|x| prop("assignee", x)),
            ]),
            "methods": methods,
            "types": ["control-objective"],
            "relevant-evidence": evidence_refs(r, &a.evidence),
            "collected": collected,
        }));
        if a.result != AssessmentResult::NotApplicable {
            let satisfied = a.result == AssessmentResult::Conforming;
            determinations.push(json!({
                "uuid": uid("determination", &key),
                "title": line(&format!("{} {} — {}", ind.id, ind.name(zh), a.result.label(zh))),
                "description": prose(&text),
                "target": {
                    "type": "objective-id",
                    "target-id": objective_id(&ind.id),
                    "status": {"state": if satisfied { "satisfied" } else { "not-satisfied" }},
                },
                "related-observations": [{"observation-uuid": uid("observation", &key)}],
            }));
        }
    }
    Observed {
        observations,
        determinations,
        reviewed,
    }
}

/// The indicators that have an observation (assessed in the catalogue).
fn observed_ids(r: &ReportData) -> BTreeSet<&str> {
    r.assessments
        .iter()
        .filter(|a| a.result != AssessmentResult::NotAssessed && r.catalog.indicator(&a.indicator).is_some())
        .map(|a| a.indicator.as_str())
        .collect()
}

/// The POA&M items of a finding: one per corrective action, or one saying
/// none is planned for an open nonconformity.
fn poam_items(r: &ReportData, f: &Finding, zh: bool) -> Vec<Value> {
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let mut items: Vec<Value> = r
        .actions_of(&f.reference)
        .map(|a| {
            json!({
                "uuid": uid("poam-item", &a.entity),
                "title": line(&format!("{} · {}", a.id, a.description)),
                "description": prose(&a.description),
                "props": props(vec![
                    prop("owner", &a.owner),
                    prop("status", a.status.as_str()),
                    a.due.and_then(|d| prop("due", &d.to_string())),
                ]),
                "related-findings": [{"finding-uuid": uid("finding", &f.entity)}],
                "related-risks": if f.grade.is_nonconformity() { vec![json!({"risk-uuid": uid("risk", &f.entity)})] } else { vec![] },
            })
        })
        .collect();
    if items.is_empty() && f.grade.is_nonconformity() && f.status.is_open() {
        items.push(json!({
            "uuid": uid("poam-item", &f.entity),
            "title": line(&format!("{} · {}", f.reference, f.title)),
            "description": prose(t("No corrective action planned yet.", "尚未制定纠正措施。")),
            "related-findings": [{"finding-uuid": uid("finding", &f.entity)}],
            "related-risks": [{"risk-uuid": uid("risk", &f.entity)}],
        }));
    }
    items
}

/// A document written as its skeleton with the long arrays streamed in,
/// one item at a time (100,000 findings never sit in memory as one tree).
/// A placeholder string in the skeleton marks where each array goes; an
/// array with no items is left out, as OSCAL wants.
struct Streamed<'a> {
    skeleton: Value,
    arrays: Vec<(&'static str, Items<'a>)>,
}

/// Writes a streamed array's items, one at a time, through `put`.
type Items<'a> = Box<dyn FnMut(&mut dyn FnMut(Value) -> std::io::Result<()>) -> std::io::Result<()> + 'a>;

const PLACEHOLDER: &str = "\u{1}cscaudit-stream:";

impl Streamed<'_> {
    fn write(mut self, w: &mut dyn Write) -> std::io::Result<()> {
        prune(&mut self.skeleton);
        let text = serde_json::to_string(&self.skeleton).map_err(std::io::Error::other)?;
        // In the order the placeholders appear in the text (keys are sorted).
        let mut arrays = Vec::new();
        for (name, items) in self.arrays {
            let mark = serde_json::to_string(&format!("{PLACEHOLDER}{name}")).map_err(std::io::Error::other)?;
            if let Some(at) = text.find(&mark) {
                arrays.push((at, mark.len(), items));
            }
        }
        arrays.sort_by_key(|a| a.0);
        let mut from = 0;
        for (at, len, mut items) in arrays {
            w.write_all(&text.as_bytes()[from..at])?;
            w.write_all(b"[")?;
            let mut first = true;
            items(&mut |mut v: Value| {
                prune(&mut v);
                if !first {
                    w.write_all(b",")?;
                }
                first = false;
                serde_json::to_writer(&mut *w, &v).map_err(std::io::Error::other)
            })?;
            w.write_all(b"]")?;
            from = at + len;
        }
        let rest = &text[from..];
        w.write_all(rest.as_bytes())
    }
}

/// The placeholder of a streamed array (nothing when it would be empty).
fn slot(name: &str, non_empty: bool) -> Value {
    if non_empty {
        Value::String(format!("{PLACEHOLDER}{name}"))
    } else {
        Value::Null
    }
}

/// Write one OSCAL document of the engagement.
pub fn write_oscal(r: &ReportData, lang: Lang, doc: OscalDoc, w: &mut dyn Write) -> std::io::Result<()> {
    let zh = lang.is_zh();
    match doc {
        OscalDoc::Catalog => {
            let mut v = catalog(r, zh);
            prune(&mut v);
            serde_json::to_writer(w, &v).map_err(std::io::Error::other)
        }
        OscalDoc::AssessmentResults => assessment_results(r, zh).write(w),
        OscalDoc::Poam => poam(r, zh).write(w),
    }
}

/// One OSCAL document as bytes.
pub fn oscal_bytes(r: &ReportData, lang: Lang, doc: OscalDoc) -> Vec<u8> {
    let mut out = Vec::new();
    write_oscal(r, lang, doc, &mut out).expect("writing to memory does not fail");
    out
}

/// The risks of every nonconformity, streamed (both documents carry them).
fn risks_stream<'a>(r: &'a ReportData, zh: bool) -> Items<'a> {
    Box::new(move |put| r.findings.iter().filter_map(|f| risk(r, f, zh)).try_for_each(put))
}

/// `first` (the determinations), then every audit finding, streamed.
fn findings_stream<'a>(r: &'a ReportData, first: Vec<Value>) -> Items<'a> {
    let ids = observed_ids(r);
    Box::new(move |put| {
        first.iter().cloned().try_for_each(&mut *put)?;
        r.findings.iter().map(|f| finding(r, f, &ids)).try_for_each(put)
    })
}

fn assessment_results<'a>(r: &'a ReportData, zh: bool) -> Streamed<'a> {
    let eng = &r.engagement;
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let Observed {
        observations,
        determinations,
        reviewed,
    } = observed(r, zh);
    let selection = if reviewed.is_empty() {
        json!({"include-all": {}})
    } else {
        json!({"include-controls": reviewed})
    };
    let any_risk = r.findings.iter().any(|f| f.grade.is_nonconformity());
    let any_finding = !determinations.is_empty() || !r.findings.is_empty();
    let title = format!("{} — {}", t("Assessment results", "评价结果"), r.title());
    let skeleton = json!({"assessment-results": {
        "uuid": uid("assessment-results", &eng.id),
        "metadata": metadata(r, title.clone(), &r.today.to_string()),
        "import-ap": {"href": format!("#{}", uid("plan", &eng.id))},
        "results": [{
            "uuid": uid("result", &eng.id),
            "title": line(&title),
            "description": prose(&format!(
                "{} · {} · {}",
                eng.kind.label(zh), eng.auditee, eng.site
            )),
            "start": at(eng.period_start.unwrap_or(r.today)),
            "end": eng.period_end.map(at),
            "reviewed-controls": {"control-selections": [selection]},
            "observations": observations,
            "risks": slot("risks", any_risk),
            "findings": slot("findings", any_finding),
        }],
        "back-matter": back_matter(r, zh),
    }});
    Streamed {
        skeleton,
        arrays: vec![
            ("risks", risks_stream(r, zh)),
            ("findings", findings_stream(r, determinations)),
        ],
    }
}

fn poam<'a>(r: &'a ReportData, zh: bool) -> Streamed<'a> {
    let eng = &r.engagement;
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    // The observations the findings relate to.
    let observations = observed(r, zh).observations;
    let any_risk = r.findings.iter().any(|f| f.grade.is_nonconformity());
    let any_item = r.findings.iter().any(|f| !poam_items(r, f, zh).is_empty());
    let title = format!("{} — {}", t("Plan of action and milestones", "整改行动计划"), r.title());
    let none = json!({
        // OSCAL needs at least one item; say plainly that there is nothing.
        "uuid": uid("poam-item", &format!("{}/none", eng.id)),
        "title": t("No open items", "无待整改项"),
        "description": t("No nonconformity or corrective action is recorded.", "未记录不符合项或纠正措施。"),
    });
    let skeleton = json!({"plan-of-action-and-milestones": {
        "uuid": uid("poam", &eng.id),
        "metadata": metadata(r, title, &r.today.to_string()),
        "system-id": {"identifier-type": "https://ietf.org/rfc/rfc4122", "id": uid("plan", &eng.id)},
        "observations": observations,
        "risks": slot("risks", any_risk),
        "findings": slot("findings", !r.findings.is_empty()),
        "poam-items": if any_item { slot("poam-items", true) } else { json!([none]) },
        "back-matter": back_matter(r, zh),
    }});
    Streamed {
        skeleton,
        arrays: vec![
            ("risks", risks_stream(r, zh)),
            ("findings", findings_stream(r, Vec::new())),
            (
                "poam-items",
                Box::new(move |put| r.findings.iter().flat_map(|f| poam_items(r, f, zh)).try_for_each(put)),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_valid_oscal_ids() {
        assert_eq!(token("CH-01"), "CH-01");
        assert_eq!(token("4.1"), "_4.1");
        assert_eq!(token("a b/c"), "a_b_c");
        assert_eq!(token("指标一"), "指标一");
    }

    #[test]
    fn uuids_are_stable_v5() {
        let a = uid("finding", "ZW-001");
        assert_eq!(a, uid("finding", "ZW-001"));
        assert_ne!(a, uid("finding", "ZW-002"));
        assert_eq!(a.as_bytes()[14], b'5');
    }

    #[test]
    fn prune_drops_empty_arrays_and_nulls() {
        let mut v = json!({"a": [], "b": {"c": []}, "d": [1], "e": null, "f": {}});
        prune(&mut v);
        assert_eq!(v, json!({"b": {}, "d": [1], "f": {}}));
    }

    #[test]
    fn lines_are_single_and_never_empty() {
        assert_eq!(line(" a\nb "), "a b");
        assert_eq!(line(""), "—");
        assert!(!line("x\u{1b}[31m").contains('\u{1b}'));
    }
}
