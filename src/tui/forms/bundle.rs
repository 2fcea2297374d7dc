//! Findings bundles: export and import, each run as a job.
//! Each form: its fields (opened from the selection), and its save
//! through the app layer (values read by [`FieldId`](super::FieldId)).

use super::{Choice, Field, FieldId as F, Form, FormKind, Values, yes_no};
use crate::app::App;
use crate::config::Lang;
use crate::tui::effects::{app_refused, ask_to_replace, engagement, expand_home, refused};
use crate::tui::state::{Effect, Input, State};

impl State {
    pub(crate) fn open_bundle(&mut self, export: bool) -> Option<Effect> {
        if export {
            let d = self.data.as_ref()?;
            let file = format!("./{}-{}-{}.zip", d.engagement.id, d.me, d.today.strftime("%Y%m%d"));
            self.open(Form::new(
                FormKind::ExportBundle,
                ("Export a findings bundle", "导出发现项数据包"),
                vec![
                    Field::line(F::Path, "Write to (Tab completes)", "导出到（Tab 补全）", &file)
                        .required()
                        .path(),
                    Field::choice(F::Evidence, "Evidence files", "证据文件", yes_no(true), 0),
                    // As `export --encrypt` / `--passphrase`: a bundle that
                    // leaves the team's laptops, sealed.
                    Field::choice(
                        F::Encrypt,
                        "Encrypt (age)",
                        "加密（age）",
                        vec![
                            Choice::new("no", "no", "不加密"),
                            Choice::new(
                                "team",
                                "to the team's keys and yours",
                                "加密给审核组成员的密钥和你的密钥",
                            ),
                            Choice::new("passphrase", "with a passphrase", "用口令加密"),
                        ],
                        0,
                    ),
                    Field::line(
                        F::Passphrase,
                        "Passphrase (only when encrypting with one)",
                        "口令（仅在用口令加密时）",
                        "",
                    )
                    .secret(),
                ],
            ))
        } else {
            self.open(Form::new(
                FormKind::ImportBundle,
                ("Import a teammate's findings bundle", "导入同事的发现项数据包"),
                vec![
                    Field::line(F::Path, "Bundle (.zip, Tab completes)", "数据包（.zip，Tab 补全）", "")
                        .required()
                        .path(),
                    Field::line(
                        F::Passphrase,
                        "Passphrase (only for a bundle encrypted to one)",
                        "口令（仅用于以口令加密的数据包）",
                        "",
                    )
                    .secret(),
                ],
            ))
        }
    }
}

/// Export the engagement as a bundle, as a job.
pub(in crate::tui) fn save_export(app: &mut App, state: &State, values: &Values, confirmed: bool) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let Some(path) = expand_home(values.get(F::Path)) else {
        return vec![];
    };
    // The keys first: a team member without a key is said before anything is written.
    let passphrase = values.get(F::Passphrase);
    let encrypt = match values.get(F::Encrypt) {
        "team" => match app.export_recipients(&eng, &[], false) {
            Ok(to) => Some(std::sync::Arc::new(to)),
            Err(e) => return app_refused(e, lang),
        },
        "passphrase" if passphrase.is_empty() => {
            return refused(lang.pick(
                "Type the passphrase to encrypt with (the recipient needs it to import)",
                "请输入加密用的口令（接收方导入时需要它）",
            ));
        }
        "passphrase" => Some(std::sync::Arc::new(crate::crypto::seal::To::Passphrase(
            age::secrecy::SecretString::from(passphrase.to_string()),
        ))),
        _ => None,
    };
    if let Some(ask) = ask_to_replace(&path, confirmed, lang) {
        return ask;
    }
    // A job: the form closes and the screen answers keys meanwhile.
    vec![
        Input::Done(Ok(lang.pick("Exporting… (T: tasks)", "正在导出……（T：任务）").into())),
        Input::Start(Box::new(crate::tui::jobs::Job::Export {
            engagement: eng,
            path,
            no_evidence: values.get(F::Evidence) == "no",
            lang,
            encrypt,
        })),
    ]
}

/// Import a teammate's bundle, as a job.
pub(in crate::tui) fn save_import(_app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(path) = expand_home(values.get(F::Path)) else {
        return vec![];
    };
    if !path.is_file() {
        let p = crate::text::visible(&path.display().to_string()).into_owned();
        return refused(match lang {
            Lang::Zh => format!("{p} 不是文件"),
            Lang::En => format!("{p} is not a file"),
        });
    }
    let passphrase = Some(values.get(F::Passphrase))
        .filter(|p| !p.is_empty())
        .map(|p| age::secrecy::SecretString::from(p.to_string()));
    vec![
        Input::Done(Ok(lang.pick("Importing… (T: tasks)", "正在导入……（T：任务）").into())),
        Input::Start(Box::new(crate::tui::jobs::Job::Import { path, passphrase })),
    ]
}
