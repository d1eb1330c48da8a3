from airclass.learner.status import assignment_status, score_text


def test_status_follows_the_assignment_through_its_life():
    steps = [
        (dict(released=False, fetched=False, submitted=False), "未发布"),
        (dict(released=True, fetched=False, submitted=False), "未领取"),
        (dict(released=True, fetched=True, submitted=False), "已领取"),
        (dict(released=True, fetched=True, submitted=True), "已提交"),
        (dict(released=True, fetched=True, submitted=True, graded=True), "已评分"),
        (dict(released=True, fetched=True, submitted=True, graded=True, returned=True), "已退回"),
        # feedback returned is what the cadre's own server can see, without the gradebook
        (dict(released=True, fetched=True, submitted=True, returned=True), "已退回"),
    ]
    for facts, expected in steps:
        assert assignment_status(**facts) == expected, facts


def test_score_text():
    assert score_text(None, 4) == ""
    assert score_text(3, 4) == "3 / 4"
    assert score_text(3, 4, 2) == "3 / 4（通过）"
    assert score_text(1, 4, 2) == "1 / 4（未通过，及格 2 分）"
