"""progress.csv is read back by name through its format module: typed rows, damaged rows skipped."""
from qwop_studio.train.progress_log import PROGRESS_COLUMNS, EpisodeRow, read_progress


def test_rows_come_back_typed_up_to_the_step_asked_and_damaged_ones_are_skipped(tmp_path):
    path = tmp_path / "progress.csv"
    path.write_text(",".join(PROGRESS_COLUMNS) + "\n"
                    "100,1.00,0,-10.5000,16,0.700,2.600,0.2800,0\n"
                    "250,2.00,1,60.0000,700,oops,93.000,1.0800,1\n"
                    "300,2.50,1,60.0000,700,100.200,93.000,1.0800,1\n"
                    "900,4.00,0,5.0000,120,20.000,16.000,1.2500,0\n")
    assert read_progress(path, up_to_step=500) == [
        EpisodeRow(100, 1.0, 0, -10.5, 16, 0.7, 2.6, 0.28, False),
        EpisodeRow(300, 2.5, 1, 60.0, 700, 100.2, 93.0, 1.08, True)]
    assert [row.step for row in read_progress(path)] == [100, 300, 900]


def test_a_missing_file_has_no_episodes(tmp_path):
    assert read_progress(tmp_path / "none.csv") == []
