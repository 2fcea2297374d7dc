//! Command-line arguments (clap).
//!
//! Length: clap's declarations of every command and option with their help
//! texts: data, not logic.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "cscaudit",
    version,
    about = "Audit bank customer-service centres against GB/T 32312-2015",
    long_about = "cscaudit keeps an audit of a bank customer-service centre against GB/T 32312-2015 \
(service evaluation indicators): the indicator checklist with measured values and evidence, \
findings and their corrective actions until verified, and the team's shared log.\n\n\
Run `cscaudit` alone to open the terminal UI on your data, or `cscaudit demo` for a demo \
engagement kept in its own folder. Data lives in an embedded database in the data folder \
(see --data-dir); every command below works without the terminal UI, for scripts.",
    after_help = "Environment: CSCAUDIT_DATA_DIR (data folder), CSCAUDIT_CONFIG_DIR (config folder), \
CSCAUDIT_TODAY (YYYY-MM-DD, pins 'today' for reproducible reports), LANG / LC_ALL (language), NO_COLOR."
)]
pub struct Cli {
    /// Data folder holding the database and evidence blobs.
    #[arg(long, global = true, env = "CSCAUDIT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Language of the output and of reports: zh-CN (or zh, 简体中文) or en.
    #[arg(long, global = true, value_name = "zh|en")]
    pub lang: Option<String>,
    /// Engagement to open in the terminal UI (default: the most recent).
    #[arg(long, short = 'e', value_name = "ID")]
    pub engagement: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create (once) and show a realistic demo engagement in its own folder.
    Demo(DemoArgs),
    /// Remediation review: overdue and due actions, owners, findings by grade
    /// and status (one screen; --all for every line).
    Status {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Machine-readable output (every line).
        #[arg(long)]
        json: bool,
        /// Every line of every list (by default each list shows its first
        /// lines and how many more there are).
        #[arg(long)]
        all: bool,
    },
    /// The head-office index: fold the signed logs of every engagement and
    /// programme held here into SQL tables (programmes, engagements,
    /// certificates, findings, actions, members, and a batches ledger),
    /// each row naming the batch it came from. Every signature is verified
    /// on the way; only batches not indexed yet are read (a second run adds
    /// nothing); --rebuild starts from nothing. Read-only towards cscaudit:
    /// nothing flows back. Queries for overdue actions, expiring
    /// certificates, open majors and an auditor's engagements: README.
    Index {
        /// Write to this SQLite file (the default, as <data folder>/index.sqlite).
        #[arg(long, value_name = "FILE", conflicts_with = "postgres")]
        sqlite: Option<PathBuf>,
        /// Write to PostgreSQL: a URL (postgresql://user@host:5432/db) or
        /// key=value settings (host=/run/postgresql dbname=audits).
        #[arg(long, value_name = "URL", env = "CSCAUDIT_INDEX_POSTGRES", hide_env_values = true)]
        postgres: Option<String>,
        /// Drop the index's tables and build them again from the whole log.
        #[arg(long)]
        rebuild: bool,
        /// Print what was done as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every certification programme: client, certificate and its status,
    /// next audit due, open majors and overdue actions.
    Portfolio {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Create, list and show engagements; manage the team.
    #[command(subcommand)]
    Engagement(EngagementCmd),
    /// Certification programmes as the body's signed record: its lead and
    /// its decision makers. Decisions and certificate status on the
    /// programme's engagements are recorded in it, by its decision makers
    /// only; every copy refuses them from anyone else.
    #[command(subcommand)]
    Programme(ProgrammeCmd),
    /// A self-assessment's plan: scope and objectives, roles and
    /// responsibilities, milestones (understand the standard → plan →
    /// collect and analyse data → assess gaps → improvement plan) with
    /// owners, dates and progress.
    #[command(subcommand)]
    Plan(PlanCmd),
    /// Who this copy of the database writes as.
    #[command(subcommand)]
    Identity(IdentityCmd),
    /// Indicator catalogues.
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Record an indicator's result, measured value or notes.
    Assess(AssessArgs),
    /// Assign an indicator to a team member.
    Assign {
        indicator: String,
        /// Actor id of the member (omit to unassign).
        actor: Option<String>,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
    },
    /// Attach evidence files.
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// Write an engagement as a findings bundle (one .zip) for a teammate and
    /// the deliverable: manifest, operations, findings, the reports (CSV,
    /// Excel, Word, HTML, Markdown, NIST OSCAL), catalogue, evidence files,
    /// all hashed. Shows progress on a terminal; Ctrl-C stops it cleanly.
    Export {
        /// The bundle to write (.zip); written under a temporary name, renamed at the end.
        #[arg(long)]
        out: PathBuf,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Leave the evidence files out (their records still travel).
        #[arg(long)]
        no_evidence: bool,
        /// Only the operations after this one (`actor#seq`, as the last
        /// export's summary names it): an incremental bundle for a teammate
        /// who imported everything up to it. The reports stay complete.
        #[arg(long, value_name = "OP-ID")]
        since: Option<crate::model::ops::OpId>,
        /// Encrypt the bundle (age) to every team member's registered ssh
        /// key and yours: only they can import it (`import` decrypts with
        /// your identity's key). Name the file e.g. `E1.zip.age`.
        #[arg(long)]
        encrypt: bool,
        /// Encrypt to this key instead of the team (repeatable): an
        /// `ssh-ed25519 AAAA…` line, an `age1…` key, or a `.pub` file.
        #[arg(long, value_name = "KEY")]
        recipient: Vec<String>,
        /// Encrypt with a passphrase (asked on the terminal, or
        /// CSCAUDIT_PASSPHRASE); for someone outside the team.
        #[arg(long)]
        passphrase: bool,
    },
    /// Write a report of an engagement on its own (the same as in a bundle), or
    /// one of the body's documents: the monthly CNCA workbook, a certificate, a
    /// nonconformity report.
    Report {
        /// A document of the certification body instead of an engagement's
        /// report: `cnca` (the monthly report to CNCA, four sheets, every
        /// engagement held here), `certificate` or `nonconformity`.
        #[arg(value_enum)]
        body: Option<BodyReport>,
        /// `csv` (UTF-8 with BOM, one row per finding), `xlsx` (checklist,
        /// findings, actions), `docx`, `md` or `html` (the audit report), or
        /// NIST OSCAL 1.2 JSON: `oscal-results` (assessment results),
        /// `oscal-poam` (plan of action and milestones), `oscal-catalog`.
        #[arg(long, value_enum, required_unless_present = "body")]
        format: Option<ReportFormat>,
        /// The file to write (its extension need not match --format)
        #[arg(long)]
        out: PathBuf,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The month of a CNCA report (YYYY-MM); due by the 10th of the next.
        #[arg(long, required_if_eq("body", "cnca"))]
        month: Option<String>,
        /// With cnca: every row of the month again, also those reported
        /// unchanged (the month's state is not changed).
        #[arg(long)]
        all: bool,
        /// With cnca: write nothing, print the rows and the check list as JSON.
        #[arg(long)]
        json: bool,
        /// With nonconformity: the finding (its reference).
        #[arg(long, required_if_eq("body", "nonconformity"))]
        finding: Option<String>,
    },
    /// Concurrent edits of one field (after merging bundles): both values and
    /// authors, and the value that currently wins.
    Conflicts {
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Settle a conflict (the lead): keep the current value or put the other back.
    Resolve {
        /// The record: a finding reference, an action id, …
        reference: String,
        field: String,
        /// mine: keep the value that wins now; theirs: put the other value back.
        #[arg(long, value_enum)]
        keep: crate::app::Keep,
    },
    /// Merge a teammate's findings bundle into this database. Everything is
    /// checked first (names, sizes, hashes, engagement, authors); on any
    /// problem nothing changes. A bundle of an engagement not here creates it.
    /// An encrypted bundle (`export --encrypt`) is decrypted with your
    /// identity's key, or a passphrase (asked, or CSCAUDIT_PASSPHRASE).
    Import { bundle: PathBuf },
    /// Raise, list and move findings through their lifecycle.
    #[command(subcommand)]
    Finding(FindingCmd),
    /// Corrective actions of findings.
    #[command(subcommand)]
    Action(ActionCmd),
    /// Recompute indicators from the centre's own records, streamed at any size:
    /// ACD call records, a complaint log, a satisfaction survey, chat/e-mail
    /// sessions, the recording index, an outage log, agent states and a
    /// schedule (--source).
    Metrics(MetricsArgs),
    /// Audit sampling: sample sizes, evaluation of results, reproducible draws.
    #[command(subcommand)]
    Sample(SampleCmd),
    /// Quality-monitoring re-scoring by two auditors, blind: plan a round
    /// from a drawn sample, score (sealed until both are in), reveal,
    /// reconcile, record QU-01; or the agreement of a ratings file (Cohen's
    /// kappa).
    #[command(subcommand)]
    Qa(QaCmd),
    /// Personal data never stored raw: replace customer ids and phone
    /// numbers in a centre's records by the engagement's keyed hash
    /// (HMAC-SHA-256) before the file is kept or passed on; the key stays on
    /// this copy unless exported, encrypted to the team.
    #[command(subcommand)]
    Pseudonym(PseudonymCmd),
    /// Test-call campaigns (mystery shopping): plan calls stratified over
    /// time slots and services, record each call, summarise the rates with
    /// Wilson 95% intervals and attach the summary as evidence.
    #[command(subcommand)]
    Testcall(TestcallCmd),
    /// The audit plan (审核计划) the auditee receives: objectives, scope,
    /// criteria, sites, mode (FS01 on site, FS02 remote, FS03 both), the
    /// activities with date, time, place and auditors, and the person-days
    /// planned (from the body's calculator in body.toml) and spent.
    #[command(name = "audit-plan", subcommand)]
    AuditPlan(AuditPlanCmd),
    /// The body's register of declared interests: a person with a live
    /// interest in a programme's client (consultancy within two years, …)
    /// is refused on the team of its audits.
    #[command(subcommand)]
    Interest(InterestCmd),
    /// Evidence requests to the auditee (the PBC list): draft items, typed
    /// or from the catalogue's "evidence to ask for"; send them to the
    /// auditee's contact as a bundle encrypted to their key with a
    /// bilingual list (xlsx, html); the contact answers with files and
    /// exports back; accept or return each answer.
    #[command(subcommand)]
    Request(RequestCmd),
    /// Reminders: overdue actions and responses, requests past due,
    /// surveillance windows opening, registrations and certificates
    /// expiring (the TUI's inbox shows the same on start).
    Digest {
        /// Only what is mine to do (owner, addressee, lead).
        #[arg(long)]
        me: bool,
        /// Only what fell due on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<jiff::civil::Date>,
        /// How far ahead to look for windows and expiries, in days.
        #[arg(long, default_value_t = 60, value_name = "DAYS")]
        ahead: i32,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The opening and closing meetings (CNCA's on-site check-in): time,
    /// place, attendees (team, interns, experts, remote members, the
    /// auditee), 1–3 photos.
    #[command(subcommand)]
    Attendance(AttendanceCmd),
    /// An auditor's records for CCAA: the experience log from the signed
    /// history, and their national ID number for the CNCA report (kept
    /// encrypted on this copy, never in bundles or sync).
    #[command(subcommand)]
    Auditor(AuditorCmd),
    /// The change history of a record (finding ref, action id, engagement id, ENGAGEMENT/INDICATOR).
    History {
        reference: String,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Git remotes to sync with (a bare repository on a share, an ssh host, GitLab/Gitea).
    #[command(subcommand)]
    Remote(RemoteCmd),
    /// Exchange changes with teammates through a git remote: fetch their
    /// refs, check and merge their signed changes, push yours. A first sync
    /// joins every engagement whose team you are on.
    Sync {
        /// The remote (needed when there are several).
        name: Option<String>,
        /// Sync through a `git bundle` file instead (a USB stick passed
        /// around the team): read the refs it holds, merge, and write it
        /// again with yours added. The file is created by the first sync.
        #[arg(long, value_name = "FILE", conflicts_with = "name")]
        bundle: Option<PathBuf>,
    },
    /// Check the database against its own log: every record equals the fold
    /// of its changes, every signature verifies, every evidence file matches
    /// its hash. Reads only; exits 1 when something is wrong.
    ///
    /// With --rebuild: make the database again from the signed log — what
    /// the old one still holds, every ref of the local sync repository, and
    /// the remote named by --from — in a folder of its own, check it, and
    /// swap it in only when complete (the old one is kept beside it). For a
    /// database that lost changes or cannot be opened.
    ///
    /// With --compact: write the database again without the free space sled
    /// keeps in its file, so that it opens fast.
    Doctor {
        /// Rebuild the database from the signed log and swap it in (writes;
        /// the old database is kept beside it).
        #[arg(long, conflicts_with = "compact")]
        rebuild: bool,
        /// Write the database again without the free space sled leaves in
        /// its file (it only grows): copied, compared key by key, then
        /// swapped in. Faster opens after a migration or a large import (the
        /// file is not always smaller).
        #[arg(long)]
        compact: bool,
        /// With --rebuild: a git remote to fetch the log from as well.
        #[arg(long, value_name = "URL", requires = "rebuild")]
        from: Option<String>,
        /// With --rebuild: the private key that opens encrypted sync files
        /// (default: your identity's, when the old database still names it).
        #[arg(long, value_name = "PATH", requires = "rebuild")]
        key: Option<PathBuf>,
    },
    /// Undo your own last change on this copy: a new change that reverses it
    /// (it shows in history and reaches teammates like any other).
    Undo,
    /// Check the user's config files (config.toml, keymap.toml, theme) and show where each comes from.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Internal tools for tests and benchmarks.
    #[command(subcommand, hide = true)]
    Debug(DebugCmd),
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed and print the summary without opening the terminal UI.
    #[arg(long)]
    pub no_tui: bool,
    /// Also generate N synthetic findings (with N/5 corrective actions) in a
    /// separate engagement, for performance work.
    #[arg(long, value_name = "N")]
    pub scale: Option<u64>,
    /// Also generate N clients, each a certification programme with a
    /// self-assessment of 10 findings (and 2 corrective actions), for the
    /// portfolio and the head-office index at a body's scale.
    #[arg(long, value_name = "N")]
    pub portfolio: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Validate the user's files; exit non-zero if any has a problem.
    Check,
    /// Write the JSON schemas of config.toml, keymaps, themes and catalogues
    /// (for editors that complete and check TOML, e.g. Taplo / Even Better TOML).
    Schema {
        /// Folder to write config.schema.json, keymap.schema.json,
        /// theme.schema.json and catalog.schema.json into.
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum EngagementCmd {
    /// One line per engagement.
    List {
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Details and team of an engagement.
    Show {
        id: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create an engagement; you become its lead. With `--follows PREV` the
    /// next engagement of PREV's certification programme: same auditee,
    /// site, catalogue (unless --catalog), scope and team (change it after
    /// with add-member); every finding still open carried (linked, one
    /// history); last time's results shown beside the checklist.
    Create {
        /// The auditee (taken from PREV with --follows).
        #[arg(long, default_value = "")]
        auditee: String,
        /// self-assessment, stage-1, stage-2, surveillance, recertification or follow-up.
        #[arg(long, default_value = "self-assessment")]
        kind: String,
        /// The engagement's id (letters, digits, `.`, `-`, `_`): what `-e`
        /// names it by; made from the date and your initials when not given.
        #[arg(long)]
        id: Option<String>,
        /// What the engagement is called in lists and reports.
        #[arg(long, default_value = "")]
        title: String,
        /// The site audited (city, address)
        #[arg(long, default_value = "")]
        site: String,
        /// First day of the period under review (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Last day of the period under review (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Use this catalogue instead of the embedded GB/T 32312 one: a file
        /// path, or the id of a file in the config folder's `catalogs/`.
        #[arg(long, value_name = "FILE|ID")]
        catalog: Option<PathBuf>,
        /// The engagement this one follows in its programme (a stage 2
        /// follows a closed stage 1; surveillance, recertification and
        /// rectification follow-up follow the last audit).
        #[arg(long, value_name = "PREV", conflicts_with_all = ["programme"])]
        follows: Option<String>,
        /// The certification programme (client) this engagement starts.
        #[arg(long)]
        programme: Option<String>,
        /// What kind of organisation the programme's client is: bank,
        /// outsourcer or fintech (银行, 外包呼叫中心, 金融科技公司).
        #[arg(long, conflicts_with = "follows")]
        client_kind: Option<String>,
        /// The certification scope (services, sites).
        #[arg(long)]
        scope: Option<String>,
    },
    /// Name the certification programme an engagement belongs to (once:
    /// the programme's decision makers decide on it). Lead only.
    Programme {
        programme: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The certification scope (services, sites).
        #[arg(long)]
        scope: Option<String>,
    },
    /// Close an engagement's fieldwork. A rectification follow-up closes
    /// only with the rectification report attached and every major verified.
    Close {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
    },
    /// The score as the engagement's catalogue scores it: points earned ÷
    /// points applicable × 100 (not-applicable indicators excluded), less
    /// special deductions, plus a bonus, with the pass mark and stars — or
    /// the weighted mean for a catalogue without `[points]`. Records special
    /// deductions and the bonus (lead only).
    Score {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// A special deduction, with its reason (a breach of law or rules); repeat for several.
        #[arg(long = "deduct", value_name = "REASON")]
        deduct: Vec<String>,
        /// Clear the special deductions recorded so far (before any --deduct).
        #[arg(long)]
        clear_deductions: bool,
        /// The bonus, up to the catalogue's cap (with --bonus-reason).
        #[arg(long)]
        bonus: Option<f64>,
        /// Why the bonus points are given (required with them)
        #[arg(long, default_value = "")]
        bonus_reason: String,
        /// Keys `method`, `points`, `stars`, `pass`, `earned`, `applicable`, `excluded`, `deductions`, `bonus`, `complete`.
        #[arg(long)]
        json: bool,
    },
    /// Record the technical review of this audit before its decision: by a
    /// technical reviewer or decision maker of the programme who was not on
    /// any audit team of it. The decision is refused until it is recorded.
    Review {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// What was reviewed (report, findings, evidence, team) and found.
        #[arg(long)]
        note: String,
    },
    /// Record the certification decision (by someone of the body who was
    /// not on any audit team of the programme), after the technical review
    /// (`engagement review`); `certify` issues the
    /// certificate and is refused while a major nonconformity is open.
    Decide {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// certify or refuse.
        #[arg(long)]
        outcome: String,
        /// The certificate number (default: PROGRAMME-YEAR).
        #[arg(long)]
        certificate_no: Option<String>,
        /// Years the certificate is valid.
        #[arg(long, default_value_t = 3)]
        years: i16,
        /// Anything else the decision rests on.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Suspend, withdraw or restore (valid) the certificate issued on this
    /// engagement, by someone who may decide; the reason joins the decision's
    /// basis. A withdrawn or expired certificate is not restored.
    Certificate {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// suspended, withdrawn or valid (暂停, 撤销, 有效).
        #[arg(long)]
        status: String,
        /// Why (suspended, withdrawn, reduced or restored)
        #[arg(long)]
        reason: String,
    },
    /// Add a team member (or update one).
    AddMember {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
        /// Their name as shown (e.g. 李敏 Li Min)
        #[arg(long)]
        name: String,
        /// 1–4 capital letters; they prefix the member's finding references.
        #[arg(long)]
        initials: String,
        /// lead, auditor, technical-expert, observer, auditee-contact or
        /// decision-maker (of the body; not an auditor).
        #[arg(long, default_value = "auditor")]
        role: String,
        /// Auditor certificate number (e.g. CCAA registration).
        #[arg(long)]
        certificate: Option<String>,
        /// The last day the registration is valid (YYYY-MM-DD): an expired
        /// registration does not count towards the two-registered-auditors
        /// rule, and `status` and the dashboard warn 60 days before.
        #[arg(long, value_name = "DATE")]
        registration_until: Option<jiff::civil::Date>,
        /// CCAA registration level: intern, auditor or senior (实习审查员,
        /// 审查员, 高级审查员). An intern is on the team but is not one of the
        /// two registered auditors a certification audit needs.
        #[arg(long)]
        level: Option<String>,
        /// The member's ssh public key (e.g. their ~/.ssh/id_ed25519.pub):
        /// their changes are then accepted only when signed with it. Lead only.
        #[arg(long, value_name = "PUBLIC-KEY-FILE")]
        key: Option<PathBuf>,
    },
    /// A member leaves the team (lead only): their signing key is revoked,
    /// so changes they make from now on are refused by every copy, and
    /// encrypted bundles and remotes are no longer sealed to them.
    RemoveMember {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
    },
    /// Register a member's new signing key (a lost or replaced key). Lead only;
    /// changes they signed with the old key before stay verified.
    MemberKey {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
        /// The member's ssh public key file (ed25519).
        #[arg(long, value_name = "PUBLIC-KEY-FILE")]
        key: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProgrammeCmd {
    /// One line per programme held here.
    List {
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A programme: its team and the engagements that name it.
    Show {
        id: String,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create a programme; you become its lead (your signing key is
    /// registered in the same signed batch). Name its engagements with
    /// `engagement create --programme ID` or `engagement programme ID`.
    Create {
        id: String,
        /// A title for the programme.
        #[arg(long, default_value = "")]
        title: String,
        /// The client (the organisation being certified).
        #[arg(long, default_value = "")]
        client: String,
        /// You are also one of its decision makers (you must not be on an
        /// audit team of its engagements).
        #[arg(long)]
        decide: bool,
    },
    /// Record the client's unified social credit code (统一社会信用代码,
    /// 18 characters), which the CNCA report names the client by. Lead only.
    ClientCode { programme: String, code: String },
    /// Name a decision maker (or another lead) of the programme, with their
    /// ssh public key. Lead only.
    AddMember {
        programme: String,
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
        /// Their name as shown (e.g. 李敏 Li Min)
        #[arg(long)]
        name: String,
        /// 1–4 capital letters.
        #[arg(long)]
        initials: String,
        /// decision-maker, technical-reviewer (reviews an audit before its
        /// decision) or lead.
        #[arg(long, default_value = "decision-maker")]
        role: String,
        /// The member's ssh public key file (ed25519).
        #[arg(long, value_name = "PUBLIC-KEY-FILE")]
        key: Option<PathBuf>,
    },
    /// A member leaves the programme (lead only): decisions they sign from
    /// now on, and any the lead had not seen, are refused by every copy.
    RemoveMember {
        programme: String,
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RemoteCmd {
    /// Add a remote: a path, file://, ssh://, user@host:path or https:// URL
    /// of a git repository (create an empty one with `git init --bare`).
    Add {
        name: String,
        url: String,
        /// Encrypt everything sync writes there (operations, signatures,
        /// evidence, catalogue) to the team's ssh keys with age: the git
        /// host sees only ciphertext (and the file names: who, how many).
        #[arg(long)]
        encrypt: bool,
    },
    /// The remotes, one per line.
    List {
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Forget a remote (nothing on it is changed).
    Remove { name: String },
    /// Print gitolite rules for an engagement's team, from its signed member
    /// list: each member may push only `refs/cscaudit/<engagement>/<member>`
    /// (no rewind, no delete) and read the repository, so the git server
    /// enforces what every copy checks. Members who left or have no key get
    /// no access. See the README for gitolite, Gitea/Forgejo and GitLab.
    GitoliteConf {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The repository's name on the gitolite server.
        #[arg(long, default_value = "cscaudit", value_name = "NAME")]
        repo: String,
        /// Also write each member's registered key as DIR/<member>.pub
        /// (gitolite's keydir), replacing a file of that name.
        #[arg(long, value_name = "DIR")]
        keydir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum IdentityCmd {
    /// Show the current identity.
    Show,
    /// Set the actor id, display name and initials used for new records.
    Set {
        actor: String,
        /// Your name as it appears on reports (e.g. 张伟 Zhang Wei)
        #[arg(long)]
        name: String,
        /// 1–4 capital letters; they prefix your finding references (ZW-001).
        #[arg(long)]
        initials: String,
        /// Your auditor certificate number, if you hold one (CCAA-…).
        #[arg(long)]
        certificate: Option<String>,
        /// Your ssh private key (ed25519, e.g. ~/.ssh/id_ed25519): every change
        /// you make is signed with it. A passphrase-protected key is used
        /// through `ssh-keygen` (ssh-agent or a prompt). Without it the
        /// identity has no key (the previous one's is not kept).
        #[arg(long, value_name = "PRIVATE-KEY-FILE")]
        key: Option<PathBuf>,
    },
    /// Name the private key that signs your changes (or `--none` to stop).
    Key {
        /// Your ssh private key (ed25519), to sign your changes with.
        #[arg(value_name = "PRIVATE-KEY-FILE", required_unless_present = "none")]
        path: Option<PathBuf>,
        /// Stop signing with a key (your changes are then unsigned)
        #[arg(long, conflicts_with = "path")]
        none: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCmd {
    /// The indicators of the embedded (or given) catalogue, grouped.
    List {
        /// A catalogue file instead of the built-in GB/T 32312 one.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// One indicator in full.
    Show {
        id: String,
        /// A catalogue file instead of the built-in GB/T 32312 one.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Check a catalogue file; errors name line, column and field.
    Validate { file: PathBuf },
}

#[derive(Args, Debug)]
pub struct AssessArgs {
    pub indicator: String,
    /// The engagement (default: the one `-e` before the command names, else the newest).
    #[arg(long, short, value_name = "ID")]
    pub engagement: Option<String>,
    /// conforming, partially, nonconforming, not-applicable or not-assessed.
    #[arg(long)]
    pub result: Option<String>,
    /// Score on the catalogue's scale.
    #[arg(long)]
    pub score: Option<f64>,
    /// Measured value in the indicator's unit.
    #[arg(long)]
    pub measured: Option<f64>,
    /// How the value was obtained (variant, parameters, source).
    #[arg(long)]
    pub method: Option<String>,
    /// Notes on the assessment (what was seen, where).
    #[arg(long)]
    pub notes: Option<String>,
    /// to-do, in-progress, in-review or done.
    #[arg(long)]
    pub workflow: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum EvidenceCmd {
    /// Store a file (by sha256) and link it to an indicator and/or a finding.
    Add {
        file: PathBuf,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The indicator it is evidence for.
        #[arg(long)]
        indicator: Option<String>,
        /// The finding it is evidence for (its reference)
        #[arg(long)]
        finding: Option<String>,
        /// What the file is (shown beside it)
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Evidence of an engagement.
    List {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every evidence file; name any missing or altered (exit 1 then).
    Verify {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
    },
    /// Write an evidence file out (its bytes checked against the hash on the way).
    Export {
        /// The file's sha256, a unique beginning of it (as `evidence list`
        /// shows), or its name.
        sha256: String,
        /// A file to write, or a folder to write into under the file's own name.
        #[arg(long, visible_alias = "out")]
        to: PathBuf,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Xlsx,
    Docx,
    Md,
    Html,
    OscalResults,
    OscalPoam,
    OscalCatalog,
}

#[derive(Subcommand, Debug)]
pub enum FindingCmd {
    /// One finding per line, starting with its reference.
    List {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Only findings in this status (issued, responded, closed, …)
        #[arg(long)]
        status: Option<String>,
        /// Only findings of this grade (major, minor, observation, improvement)
        #[arg(long)]
        grade: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A finding in full, with its actions.
    Show {
        reference: String,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Raise a finding (a draft unless --issue).
    Raise {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// major, minor, observation or improvement.
        #[arg(long)]
        grade: String,
        /// A one-line title.
        #[arg(long)]
        title: String,
        /// What was seen (required for a major or minor nonconformity).
        #[arg(long)]
        statement: Option<String>,
        /// The requirement.
        #[arg(long, default_value = "")]
        criterion: String,
        /// Indicator id (repeatable).
        #[arg(long = "indicator")]
        indicators: Vec<String>,
        /// Issue it at once (default: a draft)
        #[arg(long)]
        issue: bool,
    },
    /// Change the text of an open finding (title, statement, criterion, evidence_note, root_cause, correction).
    Edit {
        reference: String,
        /// The field: title, statement, criterion, evidence_note, root_cause, correction, or grade (a draft's only).
        #[arg(long)]
        field: String,
        /// Its new value.
        #[arg(long)]
        value: String,
    },
    Issue {
        reference: String,
    },
    /// Record the auditee's response.
    Respond {
        reference: String,
        /// The root cause the auditee found.
        #[arg(long, default_value = "")]
        root_cause: String,
        /// The immediate correction made.
        #[arg(long, default_value = "")]
        correction: String,
    },
    /// Accept the corrective-action plan.
    Accept {
        reference: String,
    },
    /// Reject the response; the auditee answers again.
    Reject {
        reference: String,
        /// Why the response or plan is not accepted.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Verification failed: send an implemented finding back to its accepted plan.
    SendBack {
        reference: String,
        /// What is missing (the auditee answers again)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Mark the plan implemented (all actions completed).
    Implement {
        reference: String,
    },
    /// Verify (every action verified effective).
    Verify {
        reference: String,
    },
    Close {
        reference: String,
    },
    Withdraw {
        reference: String,
        /// Why it is withdrawn.
        #[arg(long, default_value = "")]
        reason: String,
    },
    Reopen {
        reference: String,
        /// Why it is reopened.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ActionCmd {
    /// All corrective actions of an engagement.
    List {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add a corrective action to a finding.
    Add {
        finding: String,
        /// What will be done.
        #[arg(long)]
        description: String,
        /// Who does it (a name or an id)
        #[arg(long)]
        owner: String,
        /// YYYY-MM-DD (default: the finding's closure due date).
        #[arg(long)]
        due: Option<String>,
    },
    /// Change status, progress, due date or completion evidence.
    Update {
        id: String,
        /// planned, in-progress, completed or cancelled.
        #[arg(long)]
        status: Option<String>,
        /// Percent done, 0–100.
        #[arg(long)]
        progress: Option<u8>,
        /// What shows it (a note, a file name)
        #[arg(long)]
        evidence: Option<String>,
        /// New due date (YYYY-MM-DD)
        #[arg(long)]
        due: Option<String>,
        /// New owner (a name or an id)
        #[arg(long)]
        owner: Option<String>,
    },
    /// Record whether a completed action worked (an auditor, not its owner).
    Verify {
        id: String,
        /// The action worked (the finding may close)
        #[arg(long, conflicts_with = "ineffective", required_unless_present = "ineffective")]
        effective: bool,
        /// It did not (the action goes back to the owner)
        #[arg(long)]
        ineffective: bool,
        /// What the verification saw.
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DebugCmd {
    /// Commit N small edits, printing `committed K` after each durable commit.
    CommitStream {
        n: u64,
        /// Print per-commit latency statistics at the end.
        #[arg(long)]
        timing: bool,
    },
    /// Verify every record and op in the database decodes; print counts.
    Check,
}

#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// Record files (all of one source and format).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// What the files are: calls (ACD call records); complaints (a
    /// complaint log: count, timeliness against the 15/30/60-day clock, rate
    /// per 10,000 contacts, by channel, oldest open); survey (satisfaction
    /// responses: CSAT with its Wilson 95% interval); sessions (chat, e-mail,
    /// app messages: first-reply service level, non-phone handling
    /// timeliness, abandonment); recordings (the recording system's index,
    /// matched to the answered calls of --calls: recording completeness);
    /// outages (an outage log over --from/--to: system availability);
    /// agent-states (the ACD's or WFM's agent-state log: occupancy and
    /// utilisation, and with --schedule the schedule adherence).
    #[arg(
        long,
        default_value = "calls",
        value_name = "calls|complaints|survey|sessions|recordings|outages|agent-states"
    )]
    pub source: String,
    /// calls: anonymous-bank (Technion Anonymous Bank 1999 layout, the
    /// default) or csv (with --map). complaints: generic (the default: columns
    /// received, channel, category, closed, extension, handler, id), cfpb (the
    /// US CFPB complaint database's export as is) or a MAPPING.toml. survey,
    /// sessions, outages, agent-states: generic or a MAPPING.toml. recordings: generic,
    /// anonymous-bank (--calls in that layout) or a MAPPING.toml. The
    /// generic layouts' columns are in the README.
    #[arg(long)]
    pub format: Option<String>,
    /// Text encoding of csv files: utf-8 (default) or gb18030 (GBK exports
    /// of Chinese ACD and complaint systems read as GB18030). Overrides the
    /// mapping's.
    #[arg(long, value_name = "utf-8|gb18030")]
    pub encoding: Option<String>,
    /// Column mapping (TOML). calls, with --format csv: columns, time
    /// formats, outcome codes. The other sources: their columns, formats and
    /// codes (README, "Complaint logs" and "Surveys, sessions, recordings,
    /// outages").
    #[arg(long, value_name = "MAPPING.toml")]
    pub map: Option<PathBuf>,
    /// First day to include (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day to include (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Service-level threshold T in seconds ("within" is ≤ T).
    #[arg(long, default_value_t = 20)]
    pub threshold: u32,
    /// Short-abandon threshold τ in seconds.
    #[arg(long, default_value_t = 5)]
    pub short_abandon: u32,
    /// Stable JSON (schema cscaudit.metrics/1 for calls, cscaudit.<source>/1
    /// for the others: complaints, survey, sessions, recordings, outages,
    /// agent-states; see
    /// README).
    #[arg(long)]
    pub json: bool,
    /// Leave out the per-day and per-hour tables in text output.
    #[arg(long)]
    pub summary: bool,
    /// Record the figure as the measured value of this indicator (or `all`
    /// indicators with a computable metric) and attach the report as evidence.
    /// The other sources take the figure the indicator's catalogue metric
    /// names: complaints PE-03 (timeliness) or PE-02 (rate, with
    /// --handled); survey PE-01; sessions CH-03, QU-02 (with a customer
    /// column); recordings QU-04; outages TR-01; agent-states OP-01
    /// (occupancy) or OP-02 (adherence, with --schedule).
    #[arg(long, value_name = "INDICATOR|all")]
    pub record: Option<String>,
    /// complaints: contacts handled in the same period (calls answered,
    /// sessions served), for the complaint rate per 10,000. survey: the
    /// contacts surveyed could have been, for the response rate.
    #[arg(long, value_name = "N")]
    pub handled: Option<u64>,
    /// complaints: the date open complaints are judged at (default: today).
    /// sessions: the date (or YYYY-MM-DDTHH:MM:SS) open sessions are judged
    /// at (default: now).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// complaints: days allowed to decide: normally, when extended, when a
    /// further extension is approved (the CBIRC 2020 rule: 15,30,60).
    #[arg(long, default_value = "15,30,60", value_name = "N,N,N")]
    pub days: String,
    /// survey: the scale's lowest and highest score (default: the layout's,
    /// 1-5 for generic).
    #[arg(long, value_name = "MIN-MAX")]
    pub scale: Option<String>,
    /// survey: the score from which a response counts as satisfied
    /// (default: the layout's, 4 on 1-5: top-two box).
    #[arg(long, value_name = "SCORE")]
    pub satisfied: Option<i64>,
    /// sessions: first-reply threshold in seconds (default 60).
    #[arg(long, value_name = "SECONDS")]
    pub reply_within: Option<u32>,
    /// sessions: a request is handled in time when closed within this many
    /// hours of its creation (default 24).
    #[arg(long, value_name = "HOURS")]
    pub handle_within: Option<u32>,
    /// sessions: a session followed by another of the same customer within
    /// this many days was not resolved at first contact (default 7; needs a
    /// customer column).
    #[arg(long, value_name = "DAYS")]
    pub repeat_within: Option<u32>,
    /// outages: the daily service window the availability is measured over
    /// (default 00:00-24:00, a 7×24 centre).
    #[arg(long, value_name = "HH:MM-HH:MM")]
    pub service_hours: Option<String>,
    /// recordings: the call records whose answered calls must each have a
    /// recording (the FILES are the recording index).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub calls: Vec<PathBuf>,
    /// agent-states: the schedule (columns agent, activity, start, end); an
    /// activity is on the phones (phone, work, 接听…) or off them (break,
    /// lunch, training…). Gives the schedule adherence.
    #[arg(long, value_name = "FILE")]
    pub schedule: Option<PathBuf>,
    /// The engagement (default: the one `-e` before the command names, else the newest).
    #[arg(long, short, value_name = "ID")]
    pub engagement: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum TestcallCmd {
    /// Plan a campaign: --calls calls spread evenly over every pair of
    /// --slots and --services, each on a day of --from..--to and a minute of
    /// its slot drawn from --seed (printed, so the plan can be drawn again).
    Plan {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The campaign's name (e.g. 2026-Q4).
        #[arg(long)]
        campaign: String,
        /// How many calls (1–10,000).
        #[arg(long)]
        calls: usize,
        /// Time slots, comma-separated (HH:MM-HH:MM each).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "09:00-12:00,12:00-14:00,14:00-18:00,18:00-21:00"
        )]
        slots: Vec<String>,
        /// Services to ask about, comma-separated (e.g. 信用卡,借记卡,转账汇款).
        #[arg(long, value_delimiter = ',', required = true)]
        services: Vec<String>,
        /// First day of the campaign (YYYY-MM-DD).
        #[arg(long)]
        from: jiff::civil::Date,
        /// Last day of the campaign (YYYY-MM-DD).
        #[arg(long)]
        to: jiff::civil::Date,
        /// Seed of the draw (default: drawn and printed).
        #[arg(long)]
        seed: Option<u64>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Record a call as made: whether it got through at the first attempt
    /// and, if it did, whether the IVR led to an agent, the agent gave a
    /// name or number, and the answer was correct; the wait in seconds.
    Record {
        /// The call (TC-001, as `testcall list` shows).
        id: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// yes or no (是/否).
        #[arg(long, value_name = "yes|no")]
        connected: String,
        /// yes or no: the IVR led to a person when asked for one.
        #[arg(long, value_name = "yes|no")]
        ivr: Option<String>,
        /// yes or no: the agent gave a name or staff number.
        #[arg(long, value_name = "yes|no")]
        identified: Option<String>,
        /// yes or no: the answer was correct and complete.
        #[arg(long, value_name = "yes|no")]
        correct: Option<String>,
        /// Seconds from the end of the IVR to a person answering.
        #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
        wait: Option<i64>,
        /// When the call was made (YYYY-MM-DD HH:MM; default now).
        #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
        at: Option<String>,
        /// Notes on the call.
        #[arg(long)]
        notes: Option<String>,
        /// Replace the result of a call already recorded.
        #[arg(long)]
        again: bool,
    },
    /// The calls of the engagement (or of one campaign), planned and made.
    List {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Only this campaign (default: all of them)
        #[arg(long)]
        campaign: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rates of the calls made, each with its Wilson 95% interval, by slot
    /// and by service. --attach keeps the summary as evidence (on
    /// --indicator when given).
    Summary {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Only this campaign (default: all of them)
        #[arg(long)]
        campaign: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
        /// Also attach the summary to the engagement as evidence.
        #[arg(long)]
        attach: bool,
        /// The indicator the attached summary is evidence for.
        #[arg(long, requires = "attach")]
        indicator: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum QaCmd {
    /// Agreement of two raters: observed agreement, Cohen's kappa, and for
    /// integer scores the quadratic-weighted kappa (as scikit-learn's
    /// cohen_kappa_score), with the items they disagree on.
    Agreement {
        /// A CSV with a header and columns item, rater_a, rater_b; ratings
        /// pass/fail (合格/不合格, yes/no) or whole-number scores.
        #[arg(long, value_name = "FILE")]
        ratings: PathBuf,
        /// The file's encoding: utf-8 (default) or gb18030 (a GBK export).
        #[arg(long, value_name = "utf-8|gb18030")]
        encoding: Option<String>,
        /// Record the reconciled pass rate as this indicator's value (QU-01,
        /// metric qa_pass_rate): the two raters' rating where they agree,
        /// the `reconciled` column's (a third person's) where they do not.
        #[arg(long, value_name = "INDICATOR")]
        record: Option<String>,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Stable JSON (schema cscaudit.agreement/1): items,
        /// observed_agreement, kappa, weighted_kappa, disagreements.
        #[arg(long)]
        json: bool,
    },
    /// Plan a re-scoring round (a lead): draw the contacts from a frame of
    /// recordings (as `sample draw`, the seed printed), name two raters and
    /// a third person who reconciles. The catalogue's scorecard is pinned
    /// in every review.
    Plan {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The round's name (e.g. "2026 Q3 recordings").
        #[arg(long)]
        round: String,
        /// The frame: a CSV of recordings with a header (or one id per line
        /// with --plain).
        #[arg(long, value_name = "FILE")]
        frame: PathBuf,
        /// How many contacts to re-score.
        #[arg(long)]
        n: usize,
        /// Seed of the draw (printed; reuse it to draw the same sample).
        #[arg(long)]
        seed: Option<u64>,
        /// Column of the frame holding the recording ids (default: the first).
        #[arg(long)]
        id_column: Option<String>,
        /// Column to stratify the draw by (e.g. team or service).
        #[arg(long)]
        strata: Option<String>,
        /// The frame is one id per line, no header.
        #[arg(long)]
        plain: bool,
        /// The first rater (an auditor of the team, by actor id).
        #[arg(long, value_name = "ACTOR")]
        rater_a: String,
        /// The second rater.
        #[arg(long, value_name = "ACTOR")]
        rater_b: String,
        /// The third person, who settles pass/fail disagreements.
        #[arg(long, value_name = "ACTOR")]
        reconciler: String,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Score a review as one of its raters, blind: the scores are sealed
    /// (only their hash goes out) until the other rater has sealed too.
    Score {
        /// The review (QA-001).
        review: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Points per scorecard item, in its order, comma-separated (a
        /// fatal item: 0 failed or its full points). `qa show` lists the
        /// items.
        #[arg(long, value_name = "N,N,…")]
        scores: String,
    },
    /// Reveal every score of yours sealed on this copy whose other rater
    /// has sealed too (after a sync or an import).
    Reveal {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Settle a pass/fail disagreement, as the review's reconciler.
    Reconcile {
        review: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The reconciled points per item (as for `score`).
        #[arg(long, value_name = "N,N,…")]
        scores: String,
        /// Why.
        #[arg(long)]
        note: Option<String>,
    },
    /// A round's progress and figures: seals and reveals, Cohen's kappa on
    /// pass/fail, the weighted kappa on score bands, the disagreements, the
    /// reconciled pass rate. Nobody's unrevealed scores are shown.
    Status {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The round (needed when the engagement has several).
        #[arg(long)]
        round: Option<String>,
        /// Stable JSON (schema cscaudit.qa-round/1): reviews, revealed,
        /// kappa, weighted_kappa, disagreements, reconciled, unresolved,
        /// passed, pass_rate.
        #[arg(long)]
        json: bool,
    },
    /// One review: its contact, people, the scorecard's items, who has
    /// sealed and what is revealed.
    Show {
        review: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Record a round's reconciled pass rate as the indicator's value
    /// (QU-01) with the ratings and figures as evidence; refused until
    /// every review is revealed and every disagreement reconciled.
    Record {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The round (default: the latest)
        #[arg(long)]
        round: Option<String>,
        /// The indicator (its metric must be qa_pass_rate).
        #[arg(long, default_value = "QU-01")]
        indicator: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PseudonymCmd {
    /// Write a copy of a CSV with the named columns replaced by pseudonyms
    /// (`p:` and 32 hex digits; one customer, one pseudonym in every file of
    /// the engagement, however a phone number is written).
    Apply {
        /// The records (CSV with a header).
        file: PathBuf,
        /// The columns to replace, by header name (e.g. customer,phone).
        #[arg(long, value_delimiter = ',', required = true)]
        columns: Vec<String>,
        /// Where to write the copy (default: FILE.pseudonymised.csv beside it).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The separator: , ; | or tab.
        #[arg(long, default_value = ",")]
        delimiter: String,
        /// The file's encoding: utf-8 (default) or gb18030 (the copy is UTF-8).
        #[arg(long, value_name = "utf-8|gb18030")]
        encoding: Option<String>,
        /// JSON: rows, replaced, columns, key (the fingerprint), input.
        #[arg(long)]
        json: bool,
    },
    /// The fingerprint of the engagement's key held here (never the key).
    Key {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
    },
    /// Write the key to a file encrypted to every member's registered key,
    /// for a teammate who pseudonymises on their own copy.
    ExportKey {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The file to write the key to (keep it secret)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Take a teammate's key file (opened with your identity's key).
    ImportKey {
        file: PathBuf,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Replace a different key held here (pseudonyms made with it will
        /// no longer match new ones).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SampleCmd {
    /// How many items to test.
    Size(SizeArgs),
    /// Upper deviation limit for k deviations found in a sample of n.
    Evaluate {
        /// Items sampled.
        #[arg(long)]
        n: u64,
        /// Deviations found among them.
        #[arg(long)]
        deviations: u64,
        /// Risk of overreliance β (e.g. 0.05 for 95% confidence).
        #[arg(long, default_value_t = 0.05)]
        risk: f64,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Draw a reproducible random sample from a frame of ids (CSV with a header).
    Draw {
        /// The frame: CSV with a header row (or one id per line with --plain).
        #[arg(long)]
        frame: PathBuf,
        /// How many to draw.
        #[arg(long)]
        n: usize,
        /// Seed (printed; reuse it to redraw the same sample). Random if omitted.
        #[arg(long)]
        seed: Option<u64>,
        /// Column holding the ids (default: the first).
        #[arg(long)]
        id_column: Option<String>,
        /// Column to stratify by (allocation proportional to stratum size).
        #[arg(long)]
        strata: Option<String>,
        /// The frame is one id per line, no header.
        #[arg(long)]
        plain: bool,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct SizeArgs {
    /// attribute, hypergeometric, proportion or aql.
    #[arg(long)]
    pub method: String,
    /// Risk of overreliance β (attribute, hypergeometric).
    #[arg(long, default_value_t = 0.05)]
    pub risk: f64,
    /// Tolerable deviation rate (attribute, hypergeometric), e.g. 0.05.
    #[arg(long)]
    pub tolerable: Option<f64>,
    /// Expected deviation rate (attribute), e.g. 0.01.
    #[arg(long, default_value_t = 0.0)]
    pub expected: f64,
    /// Population size (hypergeometric; optional correction for proportion).
    #[arg(long)]
    pub population: Option<u64>,
    /// Acceptable deviations in the sample (hypergeometric).
    #[arg(long, default_value_t = 0)]
    pub accept: u64,
    /// Confidence level (proportion), e.g. 0.95.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Margin of error ±E (proportion), e.g. 0.05.
    #[arg(long)]
    pub margin: Option<f64>,
    /// Expected proportion p (proportion).
    #[arg(long, default_value_t = 0.5)]
    pub p: f64,
    /// Lot size (aql).
    #[arg(long)]
    pub lot: Option<u64>,
    /// Inspection level (aql): S-1..S-4, I, II, III.
    #[arg(long, default_value = "II")]
    pub level: String,
    /// Acceptance quality limit in percent (aql), e.g. 2.5.
    #[arg(long)]
    pub aql: Option<f64>,
    /// Print JSON (for scripts) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// The plan: scope, objectives, roles, milestones as a timeline with progress.
    Show {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Lay out the five standard milestones one after another from a day
    /// (2 + 1 + 4 + 2 + 2 weeks), owned by you unless --owner.
    Init {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// First day (YYYY-MM-DD); default today.
        #[arg(long)]
        start: Option<jiff::civil::Date>,
        /// Who owns the plan (default: you)
        #[arg(long)]
        owner: Option<String>,
    },
    /// Set the scope and the objectives.
    Scope {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The scope (what the audit covers)
        #[arg(long)]
        scope: Option<String>,
        /// The objectives.
        #[arg(long)]
        objectives: Option<String>,
    },
    /// What a team member is responsible for.
    Role {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        actor: String,
        responsibilities: String,
    },
    /// Add a milestone.
    Add {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// understand, plan, collect, assess or improve (or 学习标准, 制定计划, …).
        #[arg(long)]
        phase: String,
        /// What the milestone is.
        #[arg(long)]
        title: String,
        /// Who does it (a name or an id)
        #[arg(long)]
        owner: String,
        /// Start date (YYYY-MM-DD)
        #[arg(long)]
        start: Option<jiff::civil::Date>,
        /// Due date (YYYY-MM-DD)
        #[arg(long)]
        due: jiff::civil::Date,
    },
    /// Report progress, mark done, move the due date or change the owner.
    Update {
        /// The milestone (ENGAGEMENT/NN, as `plan show` lists).
        id: String,
        /// Percent done (0–100).
        #[arg(long)]
        progress: Option<u8>,
        /// Mark it done (today unless --on).
        #[arg(long)]
        done: bool,
        /// When it was done (YYYY-MM-DD; default: today)
        #[arg(long, requires = "done")]
        on: Option<jiff::civil::Date>,
        /// New due date (YYYY-MM-DD)
        #[arg(long)]
        due: Option<jiff::civil::Date>,
        /// New owner (a name or an id)
        #[arg(long)]
        owner: Option<String>,
        /// A note on the progress.
        #[arg(long)]
        note: Option<String>,
    },
}

/// A report of the body rather than of one engagement.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyReport {
    /// The monthly report to CNCA (--month).
    Cnca,
    /// The printable certificate of an engagement that issued one (Word, both languages).
    Certificate,
    /// The nonconformity report of a finding (--finding), for the auditee's signature.
    Nonconformity,
}

#[derive(Subcommand, Debug)]
pub enum AuditPlanCmd {
    /// The plan: objectives, scope, criteria, sites, mode, activities,
    /// meetings and person-days.
    Show {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Set the plan's objectives, scope, criteria, sites, mode and the
    /// centre's size (lead only).
    Set {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The audit objectives.
        #[arg(long)]
        objectives: Option<String>,
        /// The audit scope.
        #[arg(long)]
        scope: Option<String>,
        /// The audit criteria (e.g. GB/T 32312-2015; the bank's service rules).
        #[arg(long)]
        criteria: Option<String>,
        /// The sites audited, separated by `;`.
        #[arg(long)]
        sites: Option<String>,
        /// FS01 (on site, 现场), FS02 (remote, 远程) or FS03 (both, 现场+远程).
        #[arg(long)]
        mode: Option<String>,
        /// The centre's size in agents (seats): the calculator's row.
        #[arg(long)]
        agents: Option<u32>,
    },
    /// Add an activity to the agenda, or remove one (`--remove A03`).
    Activity {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The day (YYYY-MM-DD), within the engagement's period.
        #[arg(long, value_name = "DATE", required_unless_present = "remove")]
        on: Option<jiff::civil::Date>,
        /// Start, HH:MM.
        #[arg(long, required_unless_present = "remove")]
        from: Option<String>,
        /// End, HH:MM.
        #[arg(long, required_unless_present = "remove")]
        to: Option<String>,
        /// Where (room, floor, site)
        #[arg(long, default_value = "")]
        place: String,
        /// What is done (e.g. 首次会议; 话务数据抽查; 末次会议).
        #[arg(long, required_unless_present = "remove")]
        title: Option<String>,
        /// Team members who carry it out, comma-separated actor ids.
        #[arg(long, value_delimiter = ',')]
        auditors: Vec<String>,
        /// The auditee's people taking part.
        #[arg(long, default_value = "")]
        auditee: String,
        /// Remove this activity instead (A03, as `audit-plan show` lists).
        #[arg(long, conflicts_with_all = ["on", "from", "to", "title"])]
        remove: Option<String>,
    },
    /// Person-days: planned (the body's calculator, or a figure with
    /// `--justification`) and spent (recorded, else from the attendance).
    Days {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Planned person-days (half days); differs from the calculator only
        /// with a justification.
        #[arg(long)]
        planned: Option<f64>,
        /// Person-days spent (half days); without it, the attendance counts.
        #[arg(long)]
        actual: Option<f64>,
        /// Why the plan differs from the calculator.
        #[arg(long)]
        justification: Option<String>,
        /// Keys `planned`, `actual`, `basis`, `calculated`, `justification`.
        #[arg(long)]
        json: bool,
    },
    /// The agenda as a Word document in both languages, for the auditee.
    Agenda {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The file to write (.docx, .md or .html)
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum RequestCmd {
    /// Draft a request (it goes out with `send`); --from-catalogue drafts
    /// one per indicator from the catalogue's "evidence to ask for".
    Add {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// What is asked for (not with --from-catalogue).
        text: Option<String>,
        /// The indicator it is about (with --from-catalogue: repeat to
        /// choose indicators; none: every indicator with a hint).
        #[arg(long)]
        indicator: Vec<String>,
        /// Draft from the catalogue's "evidence to ask for".
        #[arg(long)]
        from_catalogue: bool,
        /// The day the answer is due: YYYY-MM-DD, or +30d, +2w, +3m from today.
        #[arg(long, value_name = "DATE")]
        due: Option<String>,
        /// The auditee contact who answers (default: the only one).
        #[arg(long, value_name = "ACTOR")]
        to: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The requests, by number, with status and due date (overdue marked).
    List {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Only those awaiting the auditee's answer.
        #[arg(long)]
        open: bool,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Send the drafts to the auditee's contact: writes into --out a
    /// bundle encrypted to their registered key, and the request list as
    /// xlsx and html they can read without cscaudit.
    Send {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// The auditee contact (default: the only one).
        #[arg(long, value_name = "ACTOR")]
        to: Option<String>,
        /// The folder to write into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Answer a request with files (the addressee's part); then export the
    /// bundle back (`cscaudit export --encrypt`).
    Answer {
        /// The request's number (ZW-R001).
        number: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// A file that answers it (repeat for several).
        #[arg(long)]
        file: Vec<PathBuf>,
        /// What the answer says.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Accept the answer (an auditor).
    Accept {
        number: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// A word on the answer (optional)
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Return the answer, saying what is missing (an auditor); the item
    /// is the auditee's again.
    Return {
        number: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// What is missing (required).
        #[arg(long)]
        comment: String,
    },
    /// Close a request (accepted, or no longer needed).
    Close {
        number: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Why it is closed (optional)
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Open a closed request again.
    Reopen {
        number: String,
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Why it is reopened (optional)
        #[arg(long, default_value = "")]
        comment: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum InterestCmd {
    /// Declare a person's interest in a programme's client (a lead of the
    /// programme records it in the programme's signed history).
    Add {
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
        /// The programme whose client it is.
        #[arg(long)]
        client: String,
        /// consultancy (咨询), employment (任职), financial (经济利益),
        /// family (亲属关系) or other (其他).
        #[arg(long, default_value = "consultancy")]
        kind: String,
        /// The last day it stands in the way (consultancy: two years after
        /// it ended), YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        until: jiff::civil::Date,
        /// What the file is (shown beside it)
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The register (of one client with --client).
    List {
        /// The client (programme id)
        #[arg(long)]
        client: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Take a declaration off the register.
    Remove {
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
        /// The client (programme id)
        #[arg(long)]
        client: String,
    },
}

#[derive(Args, Debug)]
pub struct MeetingArgs {
    /// The engagement (default: the one `-e` before the command names, else the newest).
    #[arg(long, short, value_name = "ID")]
    pub engagement: Option<String>,
    /// When it began: "YYYY-MM-DD HH:MM".
    #[arg(long)]
    pub at: String,
    /// Where it took place.
    #[arg(long)]
    pub place: String,
    /// Who attended, separated by `;`: team members by actor id (add
    /// `@remote` for a remote one), the auditee's people as `auditee:NAME`.
    #[arg(long)]
    pub attendees: String,
    /// A photo of the whole team with the auditee (1–3; repeat the option).
    #[arg(long = "photo", value_name = "FILE")]
    pub photos: Vec<PathBuf>,
    /// A note (who chaired, what was agreed).
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Subcommand, Debug)]
pub enum AttendanceCmd {
    /// Record the opening meeting (首次会议).
    Open(MeetingArgs),
    /// Record the closing meeting (末次会议).
    Close(MeetingArgs),
    /// Both meetings, who was there, and each auditor's on-site days.
    Show {
        /// The engagement (default: the one `-e` before the command names, else the newest).
        #[arg(long, short, value_name = "ID")]
        engagement: Option<String>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditorCmd {
    /// The experience log CCAA asks for: every audit the signed history
    /// holds for the auditor, with client, kind, role, dates and on-site days.
    Log {
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
        /// Write it as an Excel workbook.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print JSON (for scripts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Keep an auditor's national ID number for the CNCA report, encrypted
    /// to your key on this copy (never in a bundle, a sync or a report but
    /// the CNCA workbook). The number is read from standard input.
    NationalId {
        /// The person's id (e.g. li.min)
        #[arg(long)]
        actor: String,
    },
}
