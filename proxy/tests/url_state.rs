//! The URL is the view, in headless Chromium against the real test cluster: a pods view
//! built by clicking (namespace, filter, sort, columns) is copied into a fresh browser
//! profile and shows the same rows in the same order with the same columns; back and
//! forward step through the changes; the CSV export equals the rows on screen; the keys
//! and the theme switch work.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const WAIT: Duration = Duration::from_secs(60);

/// What the pods page shows: row keys in order and the columns that are displayed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    rows: Vec<String>,
    columns: Vec<String>,
}

async fn shown(b: &Browser) -> Option<Shown> {
    let js = r#"
        const table = document.querySelector('#pods-table');
        if (!table) return null;
        const rows = [...table.querySelectorAll('tr.row')].map(r => r.dataset.pod);
        const columns = [...table.querySelectorAll('th')]
            .filter(th => getComputedStyle(th).display !== 'none')
            .map(th => th.dataset.col);
        return { rows, columns };
    "#;
    let v = b.client.execute(js, vec![]).await.ok()?;
    let list = |key: &str| -> Option<Vec<String>> {
        v.get(key)?
            .as_array()?
            .iter()
            .map(|x| x.as_str().map(str::to_owned))
            .collect()
    };
    Some(Shown {
        rows: list("rows")?,
        columns: list("columns")?,
    })
}

/// Waits until the page shows the same thing twice in a row (a refresh may land between).
async fn settled(b: &Browser, what: &str, want: impl Fn(&Shown) -> bool) -> Shown {
    b.eventually(what, WAIT, || async {
        let first = shown(b).await.filter(|s| want(s))?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let second = shown(b).await?;
        (first == second).then_some(second)
    })
    .await
}

/// The pods table as CSV-like lines: the visible titles, then each row's visible cells
/// (sparklines left out).
async fn table_text(b: &Browser) -> Option<Vec<String>> {
    let js = r#"
        const table = document.querySelector('#pods-table');
        const shown = el => getComputedStyle(el).display !== 'none'
            && !(el.dataset.col || '').endsWith('-spark');
        const head = [...table.querySelectorAll('th')].filter(shown)
            .map(th => th.querySelector('button').firstChild.textContent.trim());
        const rows = [...table.querySelectorAll('tr.row')].map(tr =>
            [...tr.querySelectorAll('td')].filter(shown).map(td => td.textContent.trim()).join(','));
        return [head.join(','), ...rows];
    "#;
    let v = b.client.execute(js, vec![]).await.ok()?;
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

async fn location(b: &Browser) -> String {
    match b
        .client
        .execute("return location.pathname + location.search", vec![])
        .await
    {
        Ok(Value::String(s)) => s,
        other => panic!("location: {other:?}"),
    }
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_copied_url_reproduces_the_view_and_history_steps_back() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&["--refresh", "2s"], &[("KUBECONFIG", kubeconfig.as_str())]);
    let context = ktop.context();
    let carts: Vec<String> = c
        .kubectl_ok(&["get", "pods", "-n", "shop", "-o", "name"])
        .lines()
        .filter_map(|l| l.strip_prefix("pod/"))
        .filter(|n| n.contains("cart"))
        .map(|n| format!("shop/{n}"))
        .collect();
    assert!(carts.len() > 1, "the test cluster has cart pods: {carts:?}");

    // Browser A builds the view by hand.
    let a = Browser::start().await;
    a.goto(&ktop.signed("")).await;
    // Auto mode shows metrics-server until prometheus has its first rates, and the network
    // columns appear with prometheus: build the view once the column set is final.
    a.wait_for("#source-badge[data-live-source='prometheus']", WAIT)
        .await;
    a.click("nav a[href$='/pods']", WAIT).await;
    let all = settled(&a, "all pods", |s| s.rows.len() > carts.len()).await;
    a.wait_for("#namespace option[value='shop']", WAIT).await;
    a.wait_for("#namespace", WAIT)
        .await
        .select_by_value("shop")
        .await
        .expect("pick the namespace");
    a.wait_for("#filter", WAIT)
        .await
        .send_keys("cart")
        .await
        .expect("type the filter");
    let sort_by_name = "#pods-table th[data-col='name'] button";
    a.click(sort_by_name, WAIT).await;
    let ascending = settled(&a, "cart pods by name", |s| s.rows.len() == carts.len()).await;
    a.click(sort_by_name, WAIT).await;
    a.click("#pods-columns summary", WAIT).await;
    for col in ["ns", "restarts", "node"] {
        a.click(&format!("#pods-columns input[data-col='{col}']"), WAIT)
            .await;
    }
    let view = settled(&a, "the finished view", |s| {
        s.rows.len() == carts.len() && !s.columns.iter().any(|c| c == "node")
    })
    .await;

    let mut want_rows = carts.clone();
    want_rows.sort();
    let mut got_rows = view.rows.clone();
    got_rows.sort();
    assert_eq!(
        got_rows, want_rows,
        "the filter keeps exactly the cart pods"
    );
    let reversed: Vec<String> = ascending.rows.iter().rev().cloned().collect();
    assert_eq!(view.rows, reversed, "the second click sorts descending");
    assert!(
        !view
            .columns
            .iter()
            .any(|c| ["ns", "restarts", "node"].contains(&c.as_str())),
        "{:?}",
        view.columns
    );
    assert!(
        view.columns.len() + 3 == all.columns.len(),
        "{:?}",
        view.columns
    );
    let url = location(&a).await;
    for part in [
        "/pods?",
        "ns=shop",
        "q=cart",
        "sort=name",
        "dir=desc",
        "cols=",
    ] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
    assert!(url.starts_with("/c/"), "the context is in the URL: {url}");
    a.screenshot("url-state-built").await;

    // The CSV export holds exactly the rows and written columns on screen.
    let (csv, table) = a
        .eventually("an export while the numbers hold still", WAIT, || async {
            let before = table_text(&a).await?;
            a.capture_download().await;
            a.click("#pods-csv", WAIT).await;
            let csv = a.downloaded(WAIT).await;
            let after = table_text(&a).await?;
            (before == after).then_some((csv, after))
        })
        .await;
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], table[0], "header: the visible columns' titles");
    assert_eq!(&lines[1..], &table[1..], "the CSV rows are the table rows");
    assert_eq!(lines.len(), carts.len() + 1);

    // Browser B, a fresh profile, opens the copied URL.
    let b = Browser::start().await;
    b.goto(&ktop.signed(&url)).await;
    let copied = settled(&b, "the copied view", |s| s.rows.len() == view.rows.len()).await;
    assert_eq!(
        copied, view,
        "the copied URL shows the same rows and columns"
    );
    assert_eq!(location(&b).await, url, "the address is kept");
    assert_eq!(
        b.text("#context").await.unwrap_or_default().trim(),
        context,
        "the URL's context is shown"
    );
    b.close().await;

    // Back undoes the column choices one at a time, then the sort; forward redoes them.
    a.client.back().await.expect("back");
    let one_back = settled(&a, "node column back", |s| {
        s.columns.iter().any(|c| c == "node")
    })
    .await;
    assert_eq!(one_back.columns.len(), view.columns.len() + 1);
    for _ in 0..3 {
        a.client.back().await.expect("back");
    }
    let sorted_up = settled(&a, "ascending again", |s| {
        s.columns.len() == all.columns.len() && s.rows.first() == ascending.rows.first()
    })
    .await;
    assert_eq!(sorted_up.rows, ascending.rows);
    for _ in 0..4 {
        a.client.forward().await.expect("forward");
    }
    let again = settled(&a, "the finished view again", |s| s.columns == view.columns).await;
    assert_eq!(again, view);
    assert_eq!(location(&a).await, url);

    // Keys: `/` focuses the filter, Esc leaves it, `j` selects the first row, Enter opens it,
    // Esc goes back.
    let body = a.wait_for("body", WAIT).await;
    body.send_keys("/").await.expect("press /");
    let focused = a
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("active element");
    assert_eq!(focused, "filter");
    a.client
        .active_element()
        .await
        .expect("focused")
        .send_keys("\u{e00c}")
        .await
        .expect("press Esc");
    body.send_keys("j").await.expect("press j");
    let first = again.rows[0].clone();
    a.wait_for(&format!("tr.row.selected[data-pod='{first}']"), WAIT)
        .await;
    body.send_keys("\u{e007}").await.expect("press Enter");
    a.wait_for(&format!("#pod-detail[data-pod='{first}']"), WAIT)
        .await;
    a.wait_for("body", WAIT)
        .await
        .send_keys("\u{e00c}")
        .await
        .expect("press Esc");
    settled(&a, "back on the list", |s| s == &view).await;

    // The theme switch overrides the system's scheme, and the choice survives a reload.
    let background = || async {
        a.client
            .execute(
                "return getComputedStyle(document.body).backgroundColor",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let mut seen = vec![background().await];
    for _ in 0..2 {
        a.click("#theme", WAIT).await;
        seen.push(background().await);
    }
    assert_eq!(a.text("#theme").await.as_deref(), Some("dark"));
    assert_ne!(seen[1], seen[2], "light and dark differ: {seen:?}");
    a.client.refresh().await.expect("reload");
    a.wait_for("#theme", WAIT).await;
    assert_eq!(a.text("#theme").await.as_deref(), Some("dark"));
    assert_eq!(background().await, seen[2]);
    a.close().await;
}
