//! The reports: made from one [`ReportData`] read per export, in the user's
//! language. They go into findings bundles and out alone through
//! `cscaudit report`. Every text that came from a user or a file is escaped
//! for its format, and control characters never reach any output.

pub mod body;
pub mod cnca;
pub mod csv;
mod data;
mod docx;
mod html;
mod markdown;
mod oscal;
pub mod requests;
mod xlsx;

pub use csv::{cell, findings_csv};
pub use data::{Change, Comparison, ComparisonRow, ReportData, date};
pub use docx::report_docx;
pub use html::report_html;
pub use markdown::{md, report_md};
pub use oscal::{OscalDoc, oscal_bytes, write_oscal};
pub use xlsx::findings_xlsx;
