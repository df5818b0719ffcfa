"""The learning-curve verdict (issue 10): how many reviews each order needs to reach the final agreement."""

from replycoach.bench.teaching_bench import REACH_TOLERANCE, Reach


def curves(queue, random, doubt=None):
    def steps(values):
        return [(20.0 * k, v) for k, v in enumerate(values)]

    return {"queue": steps(queue), "random": steps(random), "doubt": steps(doubt or random)}


def test_reviews_to_reach_count_up_to_the_first_batch_within_the_tolerance_of_the_final():
    reach = Reach.of(curves([0.70, 0.70, 0.745, 0.75], [0.70, 0.70, 0.72, 0.73, 0.75]))
    assert reach.final == 0.75  # the queue's last point: every review, whatever the order
    assert reach.queue == 40 and reach.random == 80
    assert reach.ratio == 0.5 and reach.met


def test_an_order_slower_than_random_is_not_met():
    reach = Reach.of(curves([0.70, 0.70, 0.70, 0.75], [0.70, 0.75, 0.75, 0.75]))
    assert reach.queue == 60 and reach.random == 20
    assert reach.ratio == 3.0 and not reach.met


def test_reviews_that_teach_nothing_have_no_ratio():
    flat = [0.70, 0.70 + REACH_TOLERANCE / 2, 0.70]
    reach = Reach.of(curves(flat, flat))
    assert not reach.learned
    assert reach.ratio is None and not reach.met
