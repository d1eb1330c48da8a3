"""The dashboards' stylesheet: phone-first, Chinese fonts. A module of its own so a
dashboard's first render can show it without importing the report code (pandas)."""

PAGE_CSS = """
<style>
.ac { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
      max-width: 100%; box-sizing: border-box; font-size: 15px; color: #222; }
.ac * { box-sizing: border-box; }
.ac h3 { font-size: 17px; margin: 18px 0 8px; }
.ac .note { color: #666; font-size: 13px; line-height: 1.5; margin: 4px 0 8px; }
.ac-tiles { display: flex; flex-wrap: wrap; gap: 8px; }
.ac-tile { flex: 1 1 150px; min-width: 0; border-radius: 8px; padding: 10px 12px;
           background: #f4f7fb; border-left: 4px solid #c8102e; }
.ac-tile .v { font-size: 24px; font-weight: 600; }
.ac-tile .k { font-size: 13px; color: #555; }
.ac-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
.ac-scroll table { border-collapse: collapse; font-size: 13px; white-space: nowrap; }
.ac-scroll th, .ac-scroll td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }
.ac-scroll th { background: #f0f0f0; position: sticky; top: 0; }
.ac-bars { display: flex; flex-direction: column; gap: 4px; }
.ac-bar { display: flex; align-items: center; gap: 6px; font-size: 13px; }
.ac-bar .l { flex: 0 0 5.5em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ac-bar .t { flex: 1 1 auto; position: relative; height: 16px; background: #eee;
             border-radius: 3px; min-width: 60px; }
.ac-bar .f { position: absolute; left: 0; top: 0; bottom: 0; background: #1f77b4;
             border-radius: 3px; }
.ac-bar .f.ok { background: #2ca02c; }
.ac-bar .g { position: absolute; top: -2px; bottom: -2px; width: 2px; background: #c8102e; }
.ac-bar .n { flex: 0 0 auto; min-width: 3em; text-align: right; white-space: nowrap; }
.ac a.dl { display: inline-block; margin: 4px 8px 4px 0; padding: 6px 12px; border-radius: 6px;
           background: #c8102e; color: #fff; text-decoration: none; }
.widget-dropdown, .widget-datepicker { max-width: 100%; }
@media (max-width: 640px) {
  .ac-cards { overflow-x: visible; }
  .ac-cards table, .ac-cards tbody, .ac-cards tr, .ac-cards td { display: block; width: 100%; }
  .ac-cards thead { display: none; }
  .ac-cards tr { border: 1px solid #ddd; border-radius: 8px; margin: 8px 0; padding: 6px 10px;
                 background: #fff; }
  .ac-cards td { border: none; padding: 2px 0; white-space: normal; word-break: normal; text-align: left;
                 overflow-wrap: anywhere; }
  .ac-cards td:empty { display: none; }
  .ac-cards td::before { content: attr(data-label) "："; color: #666; font-size: 12px; }
}
</style>
"""
