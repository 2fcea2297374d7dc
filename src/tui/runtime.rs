//! The runtime between the state and the app: an effect runs through the app
//! layer ([`run_effect`], every effect in one match), its inputs go back to the
//! state ([`step`]), long work starts as a job on the worker and its end comes
//! back as an input ([`start_job`], [`finish_job`]).

use super::outside::{external_edit, open_evidence};
use super::*;

/// Run an effect through the app layer; returns the inputs it produced. When
/// the app shares the database (the running TUI), it is held only meanwhile.
pub fn run_effect(app: &mut App, state: &State, effect: Effect) -> Vec<Input> {
    if effect == Effect::Quit {
        return vec![];
    }
    // Needs no database.
    if let Effect::RememberLanguage(lang) = effect {
        return match state
            .config_file
            .as_deref()
            .map(|p| crate::config::remember_language(p, lang))
        {
            Some(Err(m)) => vec![Input::Done(Err(m.get(state.lang).to_string()))],
            _ => vec![],
        };
    }
    if let Some(busy) = database_busy(state) {
        return match effect {
            // Follow the selection or another process's changes: after the job.
            Effect::LoadHistory(_) | Effect::Reload => vec![],
            // In the open form, if any (nothing typed is lost), else the status line.
            _ => vec![Input::Busy(busy)],
        };
    }
    if let Err(e) = app.acquire() {
        return vec![Input::Done(Err(e.message().get(state.lang).to_string()))];
    }
    // Released by the run loop once the user is idle, so that moving through
    // a list does not reopen the database on every key.
    effect_inner(app, state, effect)
}

pub(super) fn effect_inner(app: &mut App, state: &State, effect: Effect) -> Vec<Input> {
    let eng = state.data.as_ref().map(|d| d.engagement.id.clone());
    let lang = state.lang;
    let reload = |app: &App| -> Vec<Input> {
        match eng.as_deref().map(|e| Data::load(app, e)) {
            Some(Ok(d)) => vec![Input::Loaded(Box::new(d))],
            Some(Err(e)) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
            None => vec![],
        }
    };
    let refreshed = |app: &App| -> Vec<Input> {
        match &eng {
            Some(e) => refreshed(app, state, e),
            None => vec![],
        }
    };
    match effect {
        Effect::Quit | Effect::RememberLanguage(_) | Effect::EditExternally(_) | Effect::RecordPendingMetrics => {
            vec![]
        }
        Effect::Reload => reload(app),
        Effect::LoadHistory(e) => match app.entity_history_signed(&e) {
            Ok(ops) => vec![Input::History(e, ops)],
            Err(err) => vec![Input::Done(Err(err.message().get(lang).to_string()))],
        },
        Effect::Workflow { indicator, workflow } => {
            let input = crate::app::AssessmentInput {
                workflow: Some(workflow),
                ..Default::default()
            };
            record_on_indicator(app, state, eng.as_deref(), &indicator, input, |a, zh| {
                a.workflow.label(zh)
            })
        }
        Effect::Assess { indicator, result } => {
            let input = crate::app::AssessmentInput {
                result: Some(result),
                ..Default::default()
            };
            record_on_indicator(app, state, eng.as_deref(), &indicator, input, |a, zh| {
                a.result.label(zh)
            })
        }
        Effect::RecordMetrics { indicator, path } => {
            let Some(d) = &state.data else { return vec![] };
            // Computed on a worker thread; recorded when it ends (finish_job).
            vec![Input::Start(Box::new(jobs::Job::Metrics {
                engagement: d.engagement.id.clone(),
                indicator,
                file: PathBuf::from(&path),
                catalog: Box::new(d.catalog.clone()),
            }))]
        }
        Effect::RecordSource {
            indicator,
            source,
            path,
        } => {
            let Some(d) = &state.data else { return vec![] };
            vec![Input::Start(Box::new(jobs::Job::Source {
                engagement: d.engagement.id.clone(),
                indicator,
                source,
                file: PathBuf::from(&path),
                period: (d.engagement.period_start, d.engagement.period_end),
                today: app.today(),
            }))]
        }
        Effect::SwitchEngagement(id) => match Data::load(app, &id) {
            Ok(d) => vec![Input::Loaded(Box::new(d))],
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::Submit {
            kind,
            values,
            confirmed,
        } => effects::submit(app, state, kind, values, confirmed),
        Effect::OfferMoves(reference) => match app.available_moves(&reference) {
            Ok(moves) => vec![Input::Moves(reference, moves)],
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::Sync => effects::start_sync(app, state),
        Effect::LoadConflicts => match app.conflicts().and_then(|all| {
            all.into_iter()
                .map(|c| app.conflict_times(&c).map(|t| (c, t)))
                .collect::<Result<Vec<_>, _>>()
        }) {
            Ok(items) => vec![Input::Conflicts(items)],
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::LoadPortfolio => vec![Input::Portfolio(
            app.portfolio().map_err(|e| e.message().get(lang).to_string()),
        )],
        Effect::LoadCalls => {
            let Some(eng) = eng else { return vec![] };
            vec![Input::Calls(
                eng.clone(),
                Box::new(app.call_profile(&eng).map_err(|e| e.message().get(lang).to_string())),
            )]
        }
        Effect::Resolve { id, field, keep } => match app.resolve_conflict(&id, &field, keep) {
            Ok(c) => {
                let mut v = refreshed(app);
                v.push(Input::Done(Ok(format!(
                    "{} {} {}",
                    lang.pick("Settled", "已处理"),
                    c.entity.id,
                    c.field
                ))));
                v
            }
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::OpenEvidence(sha) => {
            let Some(eng) = eng else { return vec![] };
            open_evidence(app, state, &eng, &sha)
        }
        Effect::QaReveal => {
            let Some(id) = eng.clone() else { return vec![] };
            match app.reveal_qa(&id) {
                Ok(r) => {
                    let text = i18n::Label::QaRevealed
                        .t(lang)
                        .replace("{n}", &r.revealed.len().to_string())
                        .replace("{waiting}", &r.waiting.len().to_string())
                        .replace("{elsewhere}", &r.not_here.len().to_string());
                    let mut v = if r.revealed.is_empty() {
                        Vec::new()
                    } else {
                        refreshed(app)
                    };
                    v.push(Input::Done(Ok(text)));
                    v
                }
                Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
            }
        }
        Effect::Undo => match app.undo_last() {
            Ok(u) => {
                let mut v = refreshed(app);
                v.push(Input::Done(Ok(format!(
                    "{} {}",
                    i18n::Label::Undone.t(lang),
                    u.records.join(", ")
                ))));
                v
            }
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
    }
}

/// While a job holds the database: why other work must wait (None: it need not).
pub(super) fn database_busy(state: &State) -> Option<String> {
    // The label was made visible when the job was named.
    let job = state.job.as_ref().filter(|j| j.database)?;
    Some(i18n::Label::DatabaseBusy.t(state.lang).replace("{what}", &job.label))
}

/// Record one change of an indicator's assessment (its result, its
/// workflow status), then say what it is now.
fn record_on_indicator(
    app: &mut App,
    state: &State,
    engagement: Option<&str>,
    indicator: &str,
    input: crate::app::AssessmentInput,
    said: fn(&crate::model::assessment::Assessment, bool) -> &'static str,
) -> Vec<Input> {
    let Some(eng) = engagement else { return vec![] };
    match app.record_assessment(eng, indicator, input) {
        Ok(a) => {
            let mut v = refreshed(app, state, eng);
            v.push(Input::Done(Ok(format!(
                "{} {indicator}: {}",
                i18n::Label::Recorded.t(state.lang),
                said(&a, state.lang.is_zh())
            ))));
            v
        }
        Err(e) => vec![Input::Done(Err(e.message().get(state.lang).to_string()))],
    }
}

/// After the user's own commit: the records it touched are read again and
/// patched into the snapshot (everything is loaded when the engagement is
/// another one or the commit touched too many records).
pub(crate) fn refreshed(app: &App, state: &State, engagement: &str) -> Vec<Input> {
    let current = state.data.as_ref().is_some_and(|d| d.engagement.id == engagement);
    let patched = if current {
        Data::patch(app, engagement).map(|p| p.map(|p| Input::Patched(Box::new(p))))
    } else {
        Ok(None)
    };
    let input = match patched {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Data::load(app, engagement).map(|d| Input::Loaded(Box::new(d))),
        Err(e) => Err(e),
    };
    match input {
        Ok(i) => vec![i],
        Err(e) => vec![Input::Done(Err(e.message().get(state.lang).to_string()))],
    }
}

/// Apply an input and every effect that follows, synchronously; long work
/// runs inline (the tests use this).
pub fn step(app: &mut App, state: &mut State, input: Input) {
    step_with(app, state, input, None);
}

/// Apply an input and every effect that follows. Long work (`Input::Start`)
/// goes to a worker thread that sends `Input::JobDone` through `jobs` when it
/// ends (the run loop); without a sender it runs inline.
pub fn step_with(app: &mut App, state: &mut State, input: Input, jobs: Option<&mpsc::Sender<Input>>) {
    let mut queue = vec![input];
    while let Some(a) = queue.pop() {
        let mut produced = match a {
            Input::Start(job) => start_job(app, state, *job, jobs),
            // Through the queue when there is a run loop (it draws first);
            // at once otherwise.
            Input::Defer(effect) => match jobs {
                Some(tx) => {
                    let _ = tx.send(Input::Deferred(effect));
                    vec![]
                }
                None => run_effect(app, state, effect),
            },
            Input::JobDone(out) => {
                state.job = None;
                finished_job(app, state, *out)
            }
            other => match state.update(other) {
                Some(Effect::EditExternally(text)) => external_edit(state, &text, jobs.is_some()),
                Some(Effect::RecordPendingMetrics) => match database_busy(state) {
                    Some(busy) => vec![Input::Busy(busy)],
                    None => match (state.pending_metrics.take(), app.acquire()) {
                        (Some(p), Ok(())) => record_metrics(app, state, *p),
                        (_, Err(e)) => vec![Input::Done(Err(e.message().get(state.lang).to_string()))],
                        (None, _) => vec![],
                    },
                },
                Some(effect) => run_effect(app, state, effect),
                None => vec![],
            },
        };
        produced.reverse();
        queue.extend(produced);
    }
}

/// Start long work. With a run loop (`sender`) it goes to a worker thread;
/// a job that needs the database gets an app of its own there, opened
/// after this one lets go of it. Without a run loop (tests) it runs inline.
pub(super) fn start_job(
    app: &mut App,
    state: &mut State,
    job: jobs::Job,
    sender: Option<&mpsc::Sender<Input>>,
) -> Vec<Input> {
    if state.job.is_some() {
        return vec![Input::Busy(i18n::Label::Busy.t(state.lang).to_string())];
    }
    let work = job.work(state.lang.is_zh());
    state.started(work.clone());
    let ask = job.passphrase();
    let needs = job.needs_database();
    // Inline without a run loop (tests), or when this app keeps its
    // database (no data folder to open it again from).
    let Some(tx) = sender.filter(|_| !needs || app.shares_store()) else {
        app.set_secret_prompt(ask);
        let out = job.run(&work, needs.then_some(&*app));
        app.set_secret_prompt(None);
        return vec![Input::JobDone(Box::new(out))];
    };
    let worker = needs.then(|| app.worker()).flatten().map(|mut w| {
        w.set_secret_prompt(ask);
        w
    });
    if worker.is_some() {
        // The worker opens the database itself: this app lets go of it now.
        app.release();
    }
    let tx = tx.clone();
    let spawned = std::thread::Builder::new().name(jobs::WORKER.into()).spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match worker {
            Some(mut app) => {
                let out = match app.acquire_unless(&|| work.cancelled()) {
                    Ok(()) => job.run(&work, Some(&app)).with_touched(app.take_touched()),
                    Err(e) => job.failed(e),
                };
                // Closed before the UI hears of it, so it can open it at once.
                drop(app);
                out
            }
            None => job.run(&work, None),
        }))
        .unwrap_or(jobs::JobOutput::Panicked);
        let _ = tx.send(Input::JobDone(Box::new(out)));
    });
    match spawned {
        Ok(_) => vec![],
        Err(e) => {
            state.job = None;
            vec![Input::Finished {
                ok: false,
                short: e.to_string(),
                full: None,
            }]
        }
    }
}

/// Record computed figures (after any question about the period).
pub(super) fn record_metrics(app: &App, state: &State, p: jobs::PendingMetrics) -> Vec<Input> {
    let lang = state.lang;
    match app.record_metrics(&p.engagement, p.target, *p.report) {
        Ok(run) => {
            let mut v = refreshed(app, state, &p.engagement);
            let figures: Vec<String> = run
                .recorded
                .iter()
                .map(|a| {
                    format!(
                        "{} = {}",
                        a.indicator,
                        a.measured.map(|m| format!("{m:.2}")).unwrap_or_default()
                    )
                })
                .collect();
            v.push(jobs::Said::ok(format!("{} {}", i18n::Label::Recorded.t(lang), figures.join(", "))).input());
            // A recomputed value that contradicts the recorded result: offer to change it.
            if let Some(d) = &state.data {
                for a in &run.recorded {
                    if let (Some(ind), Some(m)) = (d.catalog.indicator(&a.indicator), a.measured)
                        && let Some(ask) = effects::contradiction(ind, m, a.result, lang)
                    {
                        v.push(ask);
                        break;
                    }
                }
            }
            v
        }
        Err(e) => vec![jobs::Said::failed(&e, lang).input()],
    }
}

/// A job ended: what it did is recorded and said. The records a worker's
/// import or sync touched are handed over first (no database needed); the
/// database is then opened for at most a moment: when another process holds
/// it, the outcome is still said, and the screen catches up at the next
/// tick (another process's changes are noticed then).
pub(super) fn finished_job(app: &mut App, state: &State, out: jobs::JobOutput) -> Vec<Input> {
    if let jobs::JobOutput::Import { touched, .. }
    | jobs::JobOutput::Sync { touched, .. }
    | jobs::JobOutput::Sent { touched, .. } = &out
    {
        app.hand_touched(touched.clone());
    }
    if matches!(out, jobs::JobOutput::Export { .. } | jobs::JobOutput::Panicked) {
        return finish_job(app, state, out);
    }
    let stop = std::time::Instant::now() + Duration::from_secs(2);
    // The database may not be back yet (another process took it meanwhile).
    match app.acquire_unless(&|| std::time::Instant::now() > stop) {
        Ok(()) => finish_job(app, state, out),
        Err(e) => {
            let lang = state.lang;
            let why = match e {
                crate::app::AppError::Cancelled => lang
                    .pick(
                        "another cscaudit process holds the database: the screen shows the changes once it lets go",
                        "另一个 cscaudit 进程正占用数据库：待其释放后界面会显示这些更改",
                    )
                    .to_string(),
                e => e.message().get(lang).to_string(),
            };
            vec![match out.said(lang) {
                Some(mut said) => {
                    said.short = format!("{} · {why}", said.short);
                    said.input()
                }
                // Figures or a file not recorded: said, nothing half done.
                None => Input::Finished {
                    ok: false,
                    short: why,
                    full: None,
                },
            }]
        }
    }
}

/// Record what long work produced (on the UI thread, through the app layer).
pub(super) fn finish_job(app: &mut App, state: &State, out: jobs::JobOutput) -> Vec<Input> {
    let lang = state.lang;
    let failed = |e: crate::app::AppError| vec![jobs::Said::failed(&e, lang).input()];
    let said = out.said(lang).map(jobs::Said::input);
    match out {
        jobs::JobOutput::Metrics {
            engagement,
            target,
            result,
        } => {
            let pending = jobs::PendingMetrics {
                engagement,
                target,
                report: match result {
                    Ok(r) => r,
                    Err(e) => return failed(e),
                },
            };
            // Records of days outside the evaluation period: ask first.
            match app.metrics_outside_period(&pending.engagement, &pending.report) {
                Ok(None) => record_metrics(app, state, pending),
                Ok(Some(warning)) => vec![Input::ConfirmMetrics {
                    warning: warning.get(lang).to_string(),
                    pending: Box::new(pending),
                }],
                Err(e) => failed(e),
            }
        }
        jobs::JobOutput::Evidence {
            engagement,
            note,
            indicator,
            finding,
            result,
        } => match result.and_then(|staged| {
            app.record_staged_evidence(&engagement, &staged, &note, indicator.as_deref(), finding.as_deref())
        }) {
            Ok(ev) => {
                let mut v = refreshed(app, state, &engagement);
                v.push(
                    jobs::Said::ok(format!(
                        "{} {} · {} B · sha256 {}",
                        lang.pick("Attached", "已添加"),
                        crate::text::visible(&ev.name),
                        ev.size,
                        crate::text::head(&ev.sha256, 16)
                    ))
                    .input(),
                );
                v
            }
            Err(e) => failed(e),
        },
        jobs::JobOutput::Source {
            engagement,
            indicator,
            result,
        } => match result.and_then(|c| {
            let f = c.figures()?;
            app.record_source(&engagement, &indicator, f)
        }) {
            Ok(a) => {
                let mut v = refreshed(app, state, &engagement);
                let m = a.measured.map(|m| format!("{m:.2}")).unwrap_or_default();
                v.push(jobs::Said::ok(format!("{} {} = {m}", i18n::Label::Recorded.t(lang), a.indicator)).input());
                if let (Some(ind), Some(m)) = (
                    state.data.as_ref().and_then(|d| d.catalog.indicator(&a.indicator)),
                    a.measured,
                ) && let Some(ask) = effects::contradiction(ind, m, a.result, lang)
                {
                    v.push(ask);
                }
                v
            }
            Err(e) => failed(e),
        },
        jobs::JobOutput::Export { .. } | jobs::JobOutput::Panicked => said.into_iter().collect(),
        // The requests it opened (handed over by `finished_job`) are read again.
        jobs::JobOutput::Sent { .. } => {
            let mut v = match effects::engagement(state) {
                Some(e) => refreshed(app, state, &e),
                None => Vec::new(),
            };
            v.extend(said);
            v
        }
        // The records the job touched were handed over by `finished_job`
        // and are patched in (the whole engagement read again when it is
        // new here or too many changed); after a refused import, what did
        // merge (evidence, carried findings) is read again too; a first sync
        // on the welcome screen opens what it joined.
        jobs::JobOutput::Import { result, .. } => {
            let mut v = match (&result, state.data.as_ref()) {
                (Ok(r), _) => refreshed(app, state, &r.engagement),
                (Err(_), Some(d)) => refreshed(app, state, &d.engagement.id),
                (Err(_), None) => vec![],
            };
            v.extend(said);
            v
        }
        jobs::JobOutput::Sync { .. } => {
            let mut v = match state.data.as_ref() {
                Some(d) => refreshed(app, state, &d.engagement.id),
                None => app
                    .resolve_engagement(None)
                    .and_then(|e| Data::load(app, &e.id))
                    .map(|d| vec![Input::Loaded(Box::new(d))])
                    .unwrap_or_default(),
            };
            v.extend(said);
            v
        }
    }
}
