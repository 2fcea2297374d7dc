//! Keys: a key press through the keymap to a command, or into the popup,
//! form or filter that has the focus; the tasks view's keys.

use super::*;

/// The keys every list popup shares: move within `len` rows, close, choose.
fn pick(code: KeyCode, selected: &mut usize, len: usize) -> Pick {
    match code {
        KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *selected = (*selected + 1).min(len.saturating_sub(1)),
        KeyCode::Esc | KeyCode::Char('q') => return Pick::Close,
        KeyCode::Enter => return Pick::Choose,
        other => return Pick::Other(other),
    }
    Pick::Moved
}

impl State {
    pub(super) fn key(&mut self, k: KeyEvent) -> Option<Effect> {
        // Text entry first: popups with an input and list filters.
        if let Some(eff) = self.text_entry(&k) {
            return eff;
        }
        if let Some(Popup::Error(_) | Popup::Notice(_)) = &self.popup {
            if matches!(k.code, KeyCode::Enter | KeyCode::Esc) {
                self.popup = None;
            }
            return None;
        }
        if let Some(Popup::Tasks { .. }) = &self.popup {
            self.tasks_key(k.code);
            return None;
        }
        if k.code == KeyCode::Esc
            && self.popup.is_none()
            && let Some(job) = &self.job
        {
            job.cancel();
            self.say(crate::tui::i18n::Label::Cancelling.t(self.lang));
            return None;
        }
        if let Some(Popup::Confirm { effect, .. }) = &self.popup {
            return match k.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    let e = effect.clone();
                    self.popup = None;
                    Some(e)
                }
                KeyCode::Char('n') | KeyCode::Esc => {
                    self.popup = None;
                    None
                }
                _ => None,
            };
        }
        if let Some(Popup::Conflicts { items, selected }) = &mut self.popup {
            let keep = match pick(k.code, selected, items.len()) {
                Pick::Choose | Pick::Other(KeyCode::Char('c')) => Some(crate::app::Keep::Current),
                Pick::Other(KeyCode::Char('o')) => Some(crate::app::Keep::Other),
                Pick::Close => {
                    self.popup = None;
                    return None;
                }
                _ => None,
            };
            let chosen = keep.and_then(|keep| {
                items.get(*selected).map(|(c, _)| Effect::Resolve {
                    id: c.entity.id.clone(),
                    field: c.field.clone(),
                    keep,
                })
            });
            if chosen.is_some() {
                self.popup = None;
            }
            return chosen;
        }
        if let Some(Popup::Requests { selected }) = &mut self.popup {
            let n = self.data.as_ref().map_or(0, |d| d.requests.len());
            // a drafts, s sends (each a form over the view, which comes
            // back after it); Enter acts on the item.
            let row = *selected;
            let opened = match k.code {
                KeyCode::Char('a') => Some(self.open_add_request()),
                KeyCode::Char('s') => Some(self.open_send_requests()),
                _ => match pick(k.code, selected, n) {
                    Pick::Close => {
                        self.popup = None;
                        None
                    }
                    Pick::Choose => Some(self.open_request_item()),
                    _ => None,
                },
            };
            let effect = opened?;
            if matches!(self.popup, Some(Popup::Form(_))) {
                self.back_to_requests = Some(row);
            }
            return effect;
        }
        if let Some(Popup::AuditPlan { selected }) = &mut self.popup {
            let n = self.data.as_ref().map_or(0, |d| d.plan_rows().len());
            if let Pick::Close | Pick::Choose = pick(k.code, selected, n) {
                self.popup = None;
            }
            return None;
        }
        if let Some(Popup::QaRound { selected }) = &mut self.popup {
            let ids: Vec<String> = self
                .data
                .as_ref()
                .map(|d| d.qa_latest().iter().map(|r| r.id.clone()).collect())
                .unwrap_or_default();
            match pick(k.code, selected, ids.len()) {
                Pick::Close => self.popup = None,
                // Enter: score it (a rater) or settle it (the reconciler).
                Pick::Choose => {
                    let id = ids.get(*selected).cloned();
                    self.popup = None;
                    return self.open_qa_for(id);
                }
                _ => {}
            }
            return None;
        }
        if let Some(Popup::Evidence { items, selected }) = &mut self.popup {
            let action = pick(k.code, selected, items.len());
            let item = items.get(*selected).cloned();
            match action {
                Pick::Close => self.popup = None,
                Pick::Choose => {
                    self.popup = None;
                    return item.map(|(sha, _)| Effect::OpenEvidence(sha));
                }
                Pick::Other(KeyCode::Char('w')) => {
                    self.popup = None;
                    if let Some((sha, name)) = item {
                        return self.open_export_evidence(sha, &name);
                    }
                }
                _ => {}
            }
            return None;
        }
        if let Some(Popup::Switcher { selected }) = &mut self.popup {
            let n = self.data.as_ref().map_or(0, |d| d.engagements.len());
            match pick(k.code, selected, n) {
                Pick::Close => self.popup = None,
                Pick::Choose => {
                    let id = self
                        .data
                        .as_ref()
                        .and_then(|d| d.engagements.get(*selected))
                        .map(|e| e.id.clone());
                    self.popup = None;
                    return id.map(Effect::SwitchEngagement);
                }
                _ => {}
            }
            return None;
        }
        let chord = Chord::from_event(&k);
        self.pending.push(chord);
        let ctx = self.ctx();
        match self.keymap.lookup(ctx, &self.pending) {
            Lookup::Command(cmd) => {
                self.pending.clear();
                if matches!(self.popup, Some(Popup::Pending(_))) {
                    self.popup = None;
                }
                self.run(cmd)
            }
            Lookup::Prefix(next) => {
                self.popup = Some(Popup::Pending(next));
                None
            }
            Lookup::None => {
                self.pending.clear();
                if matches!(self.popup, Some(Popup::Pending(_))) {
                    self.popup = None;
                }
                None
            }
        }
    }

    /// Typing into help/palette/input popups and list filters. Returns
    /// `Some(effect)` when the key was consumed.
    fn text_entry(&mut self, k: &KeyEvent) -> Option<Option<Effect>> {
        let lang = self.lang;
        if let Some(Popup::Form(form)) = &mut self.popup {
            return Some(match form.key(k, lang) {
                crate::tui::forms::FormEvent::Continue => None,
                crate::tui::forms::FormEvent::Cancel => {
                    self.popup = self
                        .back_to_requests
                        .take()
                        .map(|selected| Popup::Requests { selected });
                    None
                }
                crate::tui::forms::FormEvent::ExternalEdit(text) => Some(Effect::EditExternally(text)),
                crate::tui::forms::FormEvent::Submit { values, confirmed } => {
                    form.error = None;
                    Some(Effect::Submit {
                        kind: form.kind.clone(),
                        values,
                        confirmed,
                    })
                }
            });
        }
        if let Some(Popup::Moves {
            reference,
            moves,
            selected,
        }) = &mut self.popup
        {
            match pick(k.code, selected, moves.len()) {
                Pick::Close => self.popup = None,
                Pick::Choose => {
                    let (r, m) = (reference.clone(), moves.get(*selected).copied());
                    self.popup = None;
                    return Some(m.and_then(|m| self.choose_move(r, m)));
                }
                _ => {}
            }
            return Some(None);
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL) || k.modifiers.contains(KeyModifiers::ALT);
        let is_help = matches!(self.popup, Some(Popup::Help { .. }));
        match &mut self.popup {
            Some(Popup::Help { filter, selected })
            | Some(Popup::Palette {
                input: filter,
                selected,
            }) => {
                match k.code {
                    KeyCode::Esc => self.popup = None,
                    KeyCode::Enter => {
                        let list = if is_help {
                            self.help_entries()
                        } else {
                            self.palette_entries()
                        };
                        let pick = list
                            .get(
                                if let Some(Popup::Help { selected, .. } | Popup::Palette { selected, .. }) =
                                    &self.popup
                                {
                                    *selected
                                } else {
                                    0
                                },
                            )
                            .map(|e| e.cmd);
                        self.popup = None;
                        // Another pane's command: that pane first.
                        if let Some(p) = pick.and_then(|c| self.home_pane(c))
                            && let Some(effect) = self.go(p)
                        {
                            return Some(Some(effect));
                        }
                        return Some(pick.and_then(|c| self.run(c)));
                    }
                    KeyCode::Up => *selected = selected.saturating_sub(1),
                    KeyCode::Down => *selected += 1,
                    KeyCode::Backspace => {
                        filter.pop();
                        *selected = 0;
                    }
                    KeyCode::Char(c) if !ctrl => {
                        filter.push(c);
                        *selected = 0;
                    }
                    _ if ctrl && k.code == KeyCode::Char('c') => self.popup = None,
                    _ => {}
                }
                // Clamp the selection to the list.
                let n = if is_help {
                    self.help_entries().len()
                } else {
                    self.palette_entries().len()
                };
                if let Some(Popup::Help { selected, .. } | Popup::Palette { selected, .. }) = &mut self.popup {
                    *selected = (*selected).min(n.saturating_sub(1));
                }
                Some(None)
            }
            Some(Popup::Input {
                value,
                indicator,
                source,
                ..
            }) => match k.code {
                KeyCode::Esc => {
                    self.popup = None;
                    Some(None)
                }
                KeyCode::Enter => {
                    let (indicator, path) = (indicator.clone(), value.trim().to_string());
                    let e = match *source {
                        Some(source) => Effect::RecordSource {
                            indicator,
                            source,
                            path,
                        },
                        None => Effect::RecordMetrics { indicator, path },
                    };
                    self.popup = None;
                    Some(Some(e))
                }
                KeyCode::Backspace => {
                    value.pop();
                    Some(None)
                }
                KeyCode::Char(c) if !ctrl => {
                    value.push(c);
                    Some(None)
                }
                _ => Some(None),
            },
            None if self.filtering => {
                let filter = match self.pane {
                    Pane::Checklist => &mut self.checklist.filter,
                    Pane::Findings => &mut self.findings.filter,
                    Pane::Remediation => &mut self.remediation.filter,
                    Pane::Portfolio => &mut self.programmes.filter,
                    Pane::Dashboard | Pane::Calls => {
                        self.filtering = false;
                        return None;
                    }
                };
                match k.code {
                    KeyCode::Esc => {
                        filter.clear();
                        self.filtering = false;
                    }
                    KeyCode::Enter => self.filtering = false,
                    KeyCode::Backspace => {
                        filter.pop();
                    }
                    KeyCode::Char(c) if !ctrl => filter.push(c),
                    KeyCode::Down | KeyCode::Up => {
                        self.filtering = false;
                        return None;
                    }
                    _ => return Some(None),
                }
                self.refresh_pane_view();
                Some(self.selection_changed())
            }
            _ => None,
        }
    }

    /// The tasks view's keys: ↑↓ choose, Enter shows the whole result, Esc
    /// cancels the chosen job while it runs (and closes otherwise), q closes.
    fn tasks_key(&mut self, code: KeyCode) {
        let Some(Popup::Tasks { selected }) = &mut self.popup else {
            return;
        };
        let n = self.tasks.len();
        let chosen = |i: usize| n.checked_sub(i + 1);
        match pick(code, selected, n) {
            Pick::Close if code == KeyCode::Esc => {
                let running = chosen(*selected)
                    .and_then(|i| self.tasks.get(i))
                    .filter(|t| t.outcome.is_none() && !t.work.cancelled())
                    .map(|t| t.work.clone());
                match running {
                    Some(work) => {
                        work.cancel();
                        self.say(crate::tui::i18n::Label::Cancelling.t(self.lang));
                    }
                    None => self.popup = None,
                }
            }
            Pick::Close => self.popup = None,
            Pick::Choose => {
                if let Some(o) = chosen(*selected)
                    .and_then(|i| self.tasks.get(i))
                    .and_then(|t| t.outcome.as_ref())
                {
                    self.popup = Some(if o.ok {
                        Popup::Notice(o.full.clone())
                    } else {
                        Popup::Error(o.full.clone())
                    });
                }
            }
            Pick::Moved | Pick::Other(_) => {}
        }
    }
}
