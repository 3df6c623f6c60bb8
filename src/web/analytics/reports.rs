//! `GET /agent/reports` (the support dashboard, editors and admins) and `GET /agent/reports.csv`
//! (one line per day, as a download); the figures are computed by `crate::analytics::reports`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::reports_page as page;
pub(crate) use super::reports_page::stylesheet;
use crate::analytics::reports::{Period, Report, csv};
use crate::domain::now_ms;
use crate::web::agents::session::AgentPage;
use crate::web::state::AppState;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PeriodParams {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

/// The business time zone in force (an admin may change it at run time): the days of the
/// reports are its days.
pub fn business_tz(state: &AppState) -> TimeZone {
    state.chat.hours.load().timezone().clone()
}

/// Reads the period of a request, or says what is wrong with it.
fn period_of(
    state: &AppState,
    params: Result<Query<PeriodParams>, axum::extract::rejection::QueryRejection>,
) -> (PeriodParams, Result<Period, String>) {
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let period = Period::from_query(
        p.from.as_deref(),
        p.to.as_deref(),
        now_ms(),
        &business_tz(state),
    );
    (p, period)
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    res
}

/// `GET /agent/reports`: the dashboard (editors and admins).
pub(crate) async fn report_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    agent: AgentPage,
    params: Result<Query<PeriodParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (p, period) = period_of(&state, params);
    let res = match period {
        Err(message) => page::render_error(&state, &headers, &agent.0, &p, &message),
        Ok(period) => match Report::compute(&state.store, &period).await {
            Ok(report) => page::render(&state, &headers, &agent.0, &report),
            Err(e) => crate::error::AppError::Internal(e).into_response(),
        },
    };
    no_store(res)
}

/// `GET /agent/reports.csv`: one line per day with every figure, as a download.
pub(crate) async fn report_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    agent: AgentPage,
    params: Result<Query<PeriodParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (p, period) = period_of(&state, params);
    let period = match period {
        Ok(period) => period,
        Err(message) => {
            return no_store(page::render_error(&state, &headers, &agent.0, &p, &message));
        }
    };
    let report = match Report::compute(&state.store, &period).await {
        Ok(r) => r,
        Err(e) => return crate::error::AppError::Internal(e).into_response(),
    };
    let filename = format!("otvet-report-{}-{}.csv", period.from(), period.to());
    let disposition = format!("attachment; filename=\"{filename}\"");
    no_store(
        (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition)
                        .unwrap_or(HeaderValue::from_static("attachment")),
                ),
            ],
            csv(&report),
        )
            .into_response(),
    )
}
