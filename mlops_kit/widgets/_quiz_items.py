"""The lessons' matching quizzes, as data: each item a prompt, its answer and why.

:data:`METRIC_SCENARIOS` (the metrics lesson: which metric fits each public-sector
scenario), :data:`PIPELINE_COMPONENTS` (the Explore lesson: which part of the pipeline
writes each artefact) and :data:`TUNING_SCENARIOS` (the tuning lesson: what fits each
tuning situation), each with its options. :class:`~mlops_kit.widgets.MatchingQuiz`
offers them as dropdowns.

Over 400 lines because it is data: three quizzes of six to ten items, each item with its
explanation and its feedback on the tempting wrong options.
"""

from __future__ import annotations

from ..course import QuizItem

__all__ = [
    "METRIC_OPTIONS",
    "METRIC_SCENARIOS",
    "PIPELINE_COMPONENTS",
    "PIPELINE_COMPONENT_OPTIONS",
    "TUNING_OPTIONS",
    "TUNING_SCENARIOS",
]

#: The options of the metrics quiz (with accuracy as the tempting distractor).
METRIC_OPTIONS: tuple[str, ...] = (
    "accuracy",
    "precision",
    "recall",
    "F1",
    "ROC AUC",
    "mean squared error",
    "four-fifths rule (fairness)",
)


_ACCURACY_ON_RARE = (
    "accuracy is high whenever the rare outcome is rare, even for a model that never "
    "flags anything, so it says nothing about the cases that matter here."
)


#: Public-sector scenarios for the metrics lesson, each matched to the metric that fits it.
METRIC_SCENARIOS: tuple[QuizItem, ...] = (
    QuizItem(
        prompt=(
            "A benefits fraud team can investigate only 40 claims a week, and every claim "
            "the model flags means a stressful interview for the claimant."
        ),
        answer="precision",
        explanation=(
            "Precision is the share of flagged claims that really are fraud or error: high "
            "precision means few honest claimants are interviewed and scarce investigator "
            "time is not wasted."
        ),
        feedback={
            "accuracy": "fraud is rare, so a model that flags nobody is still over 95% "
            "accurate. Accuracy hides how many flagged claimants were honest.",
            "recall": "recall counts how much fraud is caught, but the team can only look at "
            "40 claims anyway. What matters is how many of those 40 flags are right.",
        },
    ),
    QuizItem(
        prompt=(
            "An NHS trust wants an early warning of a surge in hospital admissions. Missing "
            "a real surge could put lives at risk; a false alarm costs a planning meeting."
        ),
        answer="recall",
        explanation=(
            "Recall is the share of real surges that the warning catches. When a miss is "
            "far more costly than a false alarm, keep recall high and accept some false "
            "alarms."
        ),
        feedback={
            "accuracy": _ACCURACY_ON_RARE,
            "precision": "precision counts how many warnings were real surges. Here a false "
            "alarm is cheap and a miss is dangerous, so the misses (recall) matter more.",
        },
    ),
    QuizItem(
        prompt=(
            "A public health agency forecasts the number of hospital admissions each week "
            "so that staff rotas can be planned."
        ),
        answer="mean squared error",
        explanation=(
            "A forecast is a number, not a yes or no, so it needs a regression metric: mean "
            "squared error (or its square root, RMSE, in admissions) measures how far the "
            "forecasts are from what happened and punishes large misses most."
        ),
        feedback={
            "accuracy": "accuracy counts right or wrong labels, but a forecast of 412 "
            "admissions when 410 arrive is close, not wrong. A number needs an error measure "
            "such as mean squared error.",
        },
    ),
    QuizItem(
        prompt=(
            "Two suppliers offer models that rank council tax accounts by their risk of "
            "falling into arrears. No threshold has been agreed yet, and you want to know "
            "which model ranks the accounts better overall."
        ),
        answer="ROC AUC",
        explanation=(
            "ROC AUC is the chance that a randomly chosen account that falls into arrears is "
            "ranked above one that does not, over every threshold, so it compares rankings "
            "before a threshold is chosen."
        ),
        feedback={
            "F1": "F1 depends on the threshold, and none has been agreed. ROC AUC compares "
            "how well the two models rank accounts at every threshold.",
            "accuracy": "accuracy needs a threshold, and none has been agreed. ROC AUC "
            "compares how well the two models rank accounts at every threshold.",
        },
    ),
    QuizItem(
        prompt=(
            "An internal review of a fraud-risk model asks whether claimants from one "
            "ethnic group are flagged far more often than claimants from other groups."
        ),
        answer="four-fifths rule (fairness)",
        explanation=(
            "The four-fifths rule compares how often each group is flagged: if the "
            "least-flagged group's rate is below four-fifths (80%) of another group's, the "
            "difference must be investigated and justified."
        ),
        feedback={
            "precision": "overall precision can be high while one group receives far more "
            "of the flags. Compare the groups' flag rates with the four-fifths rule.",
            "accuracy": "overall accuracy can look good while one group receives far more of "
            "the flags. Compare the groups' flag rates with the four-fifths rule.",
        },
    ),
    QuizItem(
        prompt=(
            "A council checks housing benefit applications for errors. Missed errors cost "
            "public money and needless reviews cost staff time, so the team wants one number "
            "that is high only when both are kept low."
        ),
        answer="F1",
        explanation=(
            "F1 is the harmonic mean of precision and recall, so it is high only when few "
            "errors are missed (recall) and few reviews are wasted (precision)."
        ),
        feedback={
            "accuracy": "errors are rare, so accuracy stays high even when most of them are "
            "missed. F1 ignores the many easy correct applications and balances precision "
            "and recall.",
        },
    ),
)


#: The options of the Explore lesson's quiz: the nine stages and the parts around them.
PIPELINE_COMPONENT_OPTIONS: tuple[str, ...] = (
    "validate stage",
    "tune stage",
    "train stage",
    "evaluate stage",
    "explain stage",
    "gate stage",
    "register stage",
    "monitor stage",
    "report stage",
    "the runner (run_pipeline)",
    "the continuous-training replay (simulate)",
    "the stages, each appending its own entries",
)


#: Artefacts of a pipeline run and a replay, each matched to the part that writes it.
PIPELINE_COMPONENTS: tuple[QuizItem, ...] = (
    QuizItem(
        prompt="dataset.json: the data file's SHA-256 and what the personal-data scan found.",
        answer="validate stage",
        explanation=(
            "The validate stage checks the data before anything is trained: the target, "
            "what each column is for, personal data, and the file's fingerprint, which later "
            "stages check so that nobody trains on a file that changed."
        ),
        feedback={
            "train stage": "the train stage reads dataset.json, but the checks are done "
            "before it, by the first stage, so that a bad file stops the run early.",
        },
    ),
    QuizItem(
        prompt="predictions.csv: the held-out rows with their scores and predictions.",
        answer="train stage",
        explanation=(
            "The train stage splits the data, fits the model and scores the held-out rows; "
            "the evaluate, explain and monitor stages work from this file."
        ),
        feedback={
            "evaluate stage": "the evaluate stage reads predictions.csv to compute the "
            "metrics; the stage that made the predictions is the one that had the model.",
        },
    ),
    QuizItem(
        prompt="explanations.json: the reason codes of the highest-scoring cases.",
        answer="explain stage",
        explanation=(
            "The explain stage computes SHAP values for the held-out rows and turns the "
            "largest of them into reasons a caseworker or a claimant could follow."
        ),
        feedback={
            "evaluate stage": "the evaluate stage measures how good the model is; why it "
            "scored a case as it did is the next stage's job.",
            "report stage": "the report shows the reason codes, but only gathers what "
            "earlier stages wrote.",
        },
    ),
    QuizItem(
        prompt="gate.json: promote, refuse or needs human approval, with every check.",
        answer="gate stage",
        explanation=(
            "The governance gate applies the written policy (performance floors, fairness "
            "limits, high impact) to metrics.json and records its decision and reasons."
        ),
        feedback={
            "register stage": "the register stage acts on the decision (which alias the "
            "version gets), but the decision is made, and written, before it.",
        },
    ),
    QuizItem(
        prompt="registration.json and model_card.md: the model version and its card.",
        answer="register stage",
        explanation=(
            "The register stage drafts the model card and transparency record, records the "
            "run in MLflow and registers the model as a new, numbered version."
        ),
        feedback={
            "gate stage": "the gate decides; the registry records. A refused model is "
            "still registered, so that it stays traceable.",
            "report stage": "the report comes last and shows the card, but the card is "
            "written, and checked for empty parts, before anything is registered.",
        },
    ),
    QuizItem(
        prompt="monitoring.json: drifted features and alerts, each with its action.",
        answer="monitor stage",
        explanation=(
            "The monitor stage compares new rows with the training rows (data drift, "
            "prediction drift, performance, fairness) and says what each alert calls for."
        ),
        feedback={
            "the continuous-training replay (simulate)": "the replay monitors every month "
            "too, but writes its own timeline; monitoring.json belongs to one pipeline run.",
        },
    ),
    QuizItem(
        prompt="audit/audit.jsonl: one hash-chained line per step, naming who did it.",
        answer="the stages, each appending its own entries",
        explanation=(
            "Each stage appends its own entry (data_loaded, tuned, trained, evaluated, "
            "explained, gate_decision, registered, monitored), and so do sign-offs and the "
            "replay, so the log tells the whole story in order."
        ),
        feedback={
            "register stage": "the register stage adds 'registered', but every stage "
            "before and after it appends its own entry too.",
            "the runner (run_pipeline)": "the runner adds an entry only when a stage fails; "
            "the stages themselves record what they did.",
        },
    ),
    QuizItem(
        prompt="timeline.json: one row per month with triggers, challengers and promotions.",
        answer="the continuous-training replay (simulate)",
        explanation=(
            "The replay runs the stages again month after month: it monitors, retrains a "
            "challenger when a trigger fires, gates and compares it, and writes each "
            "month's decision to the timeline."
        ),
        feedback={
            "monitor stage": "the monitor stage judges one run's new rows; deciding month "
            "by month whether to retrain and promote is the replay's loop.",
        },
    ),
    QuizItem(
        prompt="status.json: running, succeeded or failed, with the stage that failed.",
        answer="the runner (run_pipeline)",
        explanation=(
            "The runner creates the run folder, executes each stage notebook with "
            "papermill and keeps status.json up to date, so a failed run is marked as "
            "failed with the stage and the error."
        ),
        feedback={
            "report stage": "the report is written only if every stage before it "
            "succeeded; a failed run still needs its status recorded.",
        },
    ),
)


#: The options of the tuning quiz: search methods and the settings the lesson teaches.
TUNING_OPTIONS: tuple[str, ...] = (
    "grid search",
    "random search",
    "TPE (Bayesian optimisation)",
    "pruning",
    "a time budget",
    "one worker and a fixed seed",
    "journal file storage",
)


#: Tuning situations for the tuning lesson's quiz, each matched to what fits it.
TUNING_SCENARIOS: tuple[QuizItem, ...] = (
    QuizItem(
        prompt=(
            "An auditor asks you to re-run last quarter's tuning of a benefits model and "
            "show that it gives exactly the same trials and best settings."
        ),
        answer="one worker and a fixed seed",
        explanation=(
            "With one worker, a fixed seed, a trial budget (no time limit) and a fresh "
            "study, the same call proposes the same trials in the same order, so the "
            "result can be repeated exactly."
        ),
        feedback={
            "a time budget": "a time limit runs as many trials as fit in the time, which "
            "depends on how busy the machine is, so a re-run can differ.",
            "journal file storage": "a journal file keeps a record of every trial, which "
            "helps an audit, but several workers sharing it interleave by timing; exact "
            "repetition needs one worker and a fixed seed.",
        },
    ),
    QuizItem(
        prompt=(
            "Each trial of a hospital-admissions model takes ten minutes, and after the "
            "first fold most trials are already clearly worse than the best so far."
        ),
        answer="pruning",
        explanation=(
            "Pruning stops a trial whose first folds score poorly compared with other "
            "trials at the same point, so the budget is spent on promising settings."
        ),
        feedback={
            "a time budget": "a time limit caps the total cost but still runs every poor "
            "trial to the end; pruning stops those early.",
        },
    ),
    QuizItem(
        prompt=(
            "Four worker processes on one server must share a study without 'database is "
            "locked' errors, and the study must survive a restart."
        ),
        answer="journal file storage",
        explanation=(
            "Optuna's journal file appends each change under a file lock, so several "
            "processes on one machine can share it safely, and a later run can resume it."
        ),
        feedback={
            "one worker and a fixed seed": "one worker avoids the problem by giving up the "
            "four processes; a journal file lets all four share the study safely.",
        },
    ),
    QuizItem(
        prompt=(
            "You can afford 30 trials and want each new trial to learn from the scores of "
            "the trials before it."
        ),
        answer="TPE (Bayesian optimisation)",
        explanation=(
            "TPE models which regions of the search space scored well so far and proposes "
            "the next trial there, while still exploring."
        ),
        feedback={
            "random search": "random search draws every trial independently: it never "
            "learns from earlier scores.",
            "grid search": "a grid is fixed before the first trial and never learns from "
            "the scores.",
        },
    ),
    QuizItem(
        prompt=(
            "A review board has approved exactly three learning rates and two tree sizes, "
            "and wants every combination tried and reported."
        ),
        answer="grid search",
        explanation=(
            "When every combination of a few fixed values must be tried, a grid does "
            "exactly that: six trials, each one documented."
        ),
        feedback={
            "random search": "random draws may repeat or miss some of the six approved "
            "combinations; a grid tries each exactly once.",
        },
    ),
    QuizItem(
        prompt=(
            "The nightly retraining must finish before the 7 am service starts, whatever happens."
        ),
        answer="a time budget",
        explanation=(
            "A time limit stops new trials once it has passed, so tuning ends on time; "
            "record that such a run cannot be repeated exactly."
        ),
        feedback={
            "pruning": "pruning makes trials cheaper on average, but gives no guarantee "
            "of when tuning ends; a time limit does.",
        },
    ),
)
