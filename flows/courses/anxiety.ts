import {
  COURSE_TOOLS,
  CYCLE_ACTIONS,
  CYCLE_BODY,
  CYCLE_FEELINGS,
  DIARY_MOSTLY,
  EXPERIMENT_DONE,
  FEAR_HAPPENED,
  SAFETY_BEHAVIOURS,
  STEP_WHEN,
  WORRY_IMPORTANCE,
  WORRY_TIME_MINUTES,
} from '../../src/domain/homework/anxiety.ts';
import { buildFlow } from '../kit/build.ts';
import { COURSE_REMINDER, measurePoint } from '../kit/course.ts';
import {
  answerNumber,
  answerOf,
  answerText,
  askChoice,
  askNumber,
  askText,
  askTime,
  branch,
  choicesOf,
  end,
  endOfPart,
  openPart,
  recordHomework,
  type Step,
  say,
} from '../kit/steps.ts';

/*
 * Anxiety and worry (CLINICAL.md §5), six parts of about a week each:
 *   1 the cycle of thoughts, feelings and behaviour       homework anxiety.cycle
 *   2 worry diary, practical vs hypothetical worries      anxiety.worry_diary (repeatable)
 *   3 worry time (postponing worry)                       anxiety.diary_review, anxiety.worry_time_plan
 *   4 problem solving for practical worries              anxiety.worry_time_review, anxiety.problem_solving
 *   5 dropping avoidance and safety behaviour             anxiety.behaviour_experiment
 *   6 what helped, and a relapse plan                     anxiety.experiment_result, anxiety.relapse_plan
 * PHQ-9 and GAD-7 before parts 1, 3 and 5 and after part 6.
 */

/** How was the week? A hard week gets the therapist and, if urgent, the crisis numbers. */
/** Anxiety's choice labels are keyed `prefix.value`. */
const choices = (prefix: string, values: readonly (string | number)[]) =>
  choicesOf(prefix, values, { separator: '.' });

const checkIn = (part: number, after: string): Step[] => [
  askChoice(
    `p${part}_week`,
    'anxiety.week.ask',
    [
      { value: 'good', key: 'anxiety.week.good', next: `p${part}_week_good` },
      { value: 'mixed', key: 'anxiety.week.mixed', next: `p${part}_week_mixed` },
      { value: 'hard', key: 'anxiety.week.hard', next: `p${part}_week_hard` },
    ],
    { record: 'anxiety.week_rated' },
  ),
  say(`p${part}_week_good`, 'anxiety.week.reply_good', { next: after }),
  say(`p${part}_week_mixed`, 'anxiety.week.reply_mixed', { next: after }),
  say(`p${part}_week_hard`, 'anxiety.week.reply_hard', { next: after }),
];

const part1: Step[] = [
  openPart('p1_open', 1, 'anxiety.p1.open', { image: 'anxiety/welcome' }),
  ...measurePoint('p1', {
    lead: ['anxiety.p1.before', 'anxiety.p1.how_to_answer'],
    thanks: 'anxiety.measures.thanks',
  }),
  say('p1_course', 'anxiety.p1.course'),
  say('p1_alarm', 'anxiety.p1.alarm', { image: 'anxiety/alarm' }),
  say('p1_worry', 'anxiety.p1.worry'),
  askChoice(
    'p1_topic',
    'anxiety.p1.ask_topic',
    [
      ...choices('anxiety.p1.topic', ['health', 'work', 'family', 'money', 'future']),
      { value: 'many', key: 'anxiety.p1.topic.many', next: 'p1_topic_many' },
    ],
    { record: 'anxiety.worry_topic_chosen', next: 'p1_topic_one' },
  ),
  say('p1_topic_one', 'anxiety.p1.topic_one', { next: 'p1_cycle' }),
  say('p1_topic_many', 'anxiety.p1.topic_many'),
  say('p1_cycle', 'anxiety.p1.cycle', { image: 'anxiety/cycle' }),
  say('p1_in_the_body', 'anxiety.p1.in_the_body'),
  say('p1_hope', 'anxiety.p1.hope'),
  say('p1_ex_intro', 'anxiety.p1.ex_intro'),
  askText('p1_ex_situation', 'anxiety.p1.ask_situation', { maxLength: 300 }),
  askText('p1_ex_thought', 'anxiety.p1.ask_thought', { maxLength: 300 }),
  askChoice('p1_ex_feeling', 'anxiety.p1.ask_feeling', choices('anxiety.p1.feeling', CYCLE_FEELINGS)),
  askNumber('p1_ex_intensity', 'anxiety.p1.ask_intensity', 0, 10),
  askChoice('p1_ex_body', 'anxiety.p1.ask_body', choices('anxiety.p1.body', CYCLE_BODY)),
  askChoice('p1_ex_action', 'anxiety.p1.ask_action', choices('anxiety.p1.action', CYCLE_ACTIONS)),
  recordHomework('p1_ex_record', 'anxiety.cycle', (c) => ({
    situation: answerText(c.answers, 'p1_ex_situation'),
    thought: answerText(c.answers, 'p1_ex_thought'),
    feeling: answerOf(c.answers, 'p1_ex_feeling'),
    intensity: answerNumber(c.answers, 'p1_ex_intensity'),
    body: answerOf(c.answers, 'p1_ex_body'),
    action: answerOf(c.answers, 'p1_ex_action'),
  })),
  branch('p1_ex_route', [
    { when: (c) => answerOf(c.answers, 'p1_ex_action') === 'faced', next: 'p1_ex_faced' },
    { when: (c) => answerOf(c.answers, 'p1_ex_action') === 'other', next: 'p1_ex_other' },
  ]),
  say('p1_ex_relief', 'anxiety.p1.ex_relief', { next: 'p1_summary' }),
  say('p1_ex_faced', 'anxiety.p1.ex_faced', { next: 'p1_summary' }),
  say('p1_ex_other', 'anxiety.p1.ex_other'),
  say('p1_summary', 'anxiety.p1.summary'),
  endOfPart('p1_end', 1, 'anxiety.p1.end'),
];

const part2: Step[] = [
  openPart('p2_open', 2, 'anxiety.p2.open'),
  ...checkIn(2, 'p2_noticed'),
  askChoice('p2_noticed', 'anxiety.p2.ask_noticed', [
    { value: 'often', key: 'anxiety.p2.noticed.often', next: 'p2_noticed_yes' },
    { value: 'once', key: 'anxiety.p2.noticed.once', next: 'p2_noticed_yes' },
    { value: 'no', key: 'anxiety.p2.noticed.no', next: 'p2_noticed_no' },
  ]),
  say('p2_noticed_yes', 'anxiety.p2.noticed_yes', { next: 'p2_diary' }),
  say('p2_noticed_no', 'anxiety.p2.noticed_no'),
  say('p2_diary', 'anxiety.p2.diary', { image: 'anxiety/diary' }),
  say('p2_two_kinds', 'anxiety.p2.two_kinds', { image: 'anxiety/two-kinds' }),
  say('p2_why_sort', 'anxiety.p2.why_sort'),
  askChoice('p2_quiz1', 'anxiety.p2.quiz1', [
    { value: 'practical', key: 'anxiety.p2.kind.practical', next: 'p2_quiz1_wrong' },
    { value: 'hypothetical', key: 'anxiety.p2.kind.hypothetical', next: 'p2_quiz1_right' },
  ]),
  say('p2_quiz1_right', 'anxiety.p2.quiz1_right', { next: 'p2_quiz2' }),
  say('p2_quiz1_wrong', 'anxiety.p2.quiz1_wrong'),
  askChoice('p2_quiz2', 'anxiety.p2.quiz2', [
    { value: 'practical', key: 'anxiety.p2.kind.practical', next: 'p2_quiz2_right' },
    { value: 'hypothetical', key: 'anxiety.p2.kind.hypothetical', next: 'p2_quiz2_wrong' },
  ]),
  say('p2_quiz2_right', 'anxiety.p2.quiz2_right', { next: 'p2_w_intro' }),
  say('p2_quiz2_wrong', 'anxiety.p2.quiz2_wrong'),
  say('p2_w_intro', 'anxiety.p2.w_intro'),
  askTime('p2_w_time', 'anxiety.p2.ask_time'),
  askText('p2_w_text', 'anxiety.p2.ask_worry', { maxLength: 300 }),
  askNumber('p2_w_distress', 'anxiety.p2.ask_distress', 0, 10),
  askNumber('p2_w_minutes', 'anxiety.p2.ask_minutes', 1, 600),
  askChoice('p2_w_now', 'anxiety.p2.ask_now', [
    { value: 'yes', key: 'anxiety.yes', next: 'p2_w_can' },
    { value: 'no', key: 'anxiety.no', next: 'p2_w_record' },
  ]),
  askChoice('p2_w_can', 'anxiety.p2.ask_can', choices('anxiety', ['yes', 'no'])),
  recordHomework('p2_w_record', 'anxiety.worry_diary', (c) => {
    const aboutNow = answerOf(c.answers, 'p2_w_now') === 'yes';
    // A second pass through the loop may leave an earlier "can I act?" answer behind: only a fresh one counts.
    const canAct = aboutNow ? answerOf(c.answers, 'p2_w_can') === 'yes' : null;
    return {
      time: answerOf(c.answers, 'p2_w_time'),
      worry: answerText(c.answers, 'p2_w_text'),
      distress: answerNumber(c.answers, 'p2_w_distress'),
      minutes: answerNumber(c.answers, 'p2_w_minutes'),
      about_now: aboutNow,
      can_act: canAct,
      kind: aboutNow && canAct ? 'practical' : 'hypothetical',
    };
  }),
  branch(
    'p2_w_route',
    [
      {
        when: (c) => answerOf(c.answers, 'p2_w_now') === 'yes' && answerOf(c.answers, 'p2_w_can') === 'yes',
        next: 'p2_w_practical',
      },
    ],
    { next: 'p2_w_hypothetical' },
  ),
  say('p2_w_practical', 'anxiety.p2.w_practical', { next: 'p2_more' }),
  say('p2_w_hypothetical', 'anxiety.p2.w_hypothetical'),
  askChoice('p2_more', 'anxiety.p2.ask_more', [
    { value: 'yes', key: 'anxiety.p2.more.yes', next: 'p2_w_time' },
    { value: 'no', key: 'anxiety.p2.more.no', next: 'p2_summary' },
  ]),
  say('p2_summary', 'anxiety.p2.summary'),
  endOfPart('p2_end', 2, 'anxiety.p2.end'),
];

const part3: Step[] = [
  openPart('p3_open', 3, 'anxiety.p3.open'),
  ...measurePoint('p3', { lead: ['anxiety.measures.lead'], thanks: 'anxiety.measures.thanks' }),
  askNumber('p3_entries', 'anxiety.p3.ask_entries', 0, 200),
  branch(
    'p3_entries_route',
    [{ when: (c) => answerNumber(c.answers, 'p3_entries') === 0, next: 'p3_entries_none' }],
    {
      next: 'p3_mostly',
    },
  ),
  say('p3_entries_none', 'anxiety.p3.entries_none', { next: 'p3_review_record' }),
  askChoice(
    'p3_mostly',
    'anxiety.p3.ask_mostly',
    DIARY_MOSTLY.map((value) => ({ value, key: `anxiety.p3.mostly.${value}`, next: `p3_mostly_${value}` })),
  ),
  say('p3_mostly_hypothetical', 'anxiety.p3.mostly_hypothetical', { next: 'p3_review_record' }),
  say('p3_mostly_practical', 'anxiety.p3.mostly_practical', { next: 'p3_review_record' }),
  say('p3_mostly_mixed', 'anxiety.p3.mostly_mixed'),
  recordHomework('p3_review_record', 'anxiety.diary_review', (c) => {
    const entries = answerNumber(c.answers, 'p3_entries');
    return { entries, mostly: entries === 0 ? null : answerOf(c.answers, 'p3_mostly') };
  }),
  say('p3_intro', 'anxiety.p3.intro', { image: 'anxiety/worry-time' }),
  askNumber('p3_belief', 'anxiety.p3.ask_belief', 0, 100),
  say('p3_how', 'anxiety.p3.how'),
  say('p3_refocus', 'anxiety.p3.refocus', { image: 'anxiety/here-and-now' }),
  say('p3_during', 'anxiety.p3.during'),
  say('p3_plan', 'anxiety.p3.plan'),
  askTime('p3_time', 'anxiety.p3.ask_time'),
  branch(
    'p3_time_route',
    [
      {
        when: (c) =>
          answerText(c.answers, 'p3_time') < '07:00' || answerText(c.answers, 'p3_time') >= '21:00',
        next: 'p3_time_late',
      },
    ],
    { next: 'p3_minutes' },
  ),
  askChoice(
    'p3_time_late',
    'anxiety.p3.time_late',
    [
      { value: 'change', key: 'anxiety.p3.time_late.change', next: 'p3_time' },
      { value: 'keep', key: 'anxiety.p3.time_late.keep' },
    ],
    { vars: (c) => ({ time: answerText(c.answers, 'p3_time') }) },
  ),
  askChoice('p3_minutes', 'anxiety.p3.ask_minutes', choices('anxiety.p3.minutes', WORRY_TIME_MINUTES)),
  askText('p3_place', 'anxiety.p3.ask_place', { maxLength: 200 }),
  recordHomework('p3_plan_record', 'anxiety.worry_time_plan', (c) => ({
    time: answerOf(c.answers, 'p3_time'),
    minutes: answerNumber(c.answers, 'p3_minutes'),
    place: answerText(c.answers, 'p3_place'),
    belief_uncontrollable: answerNumber(c.answers, 'p3_belief'),
  })),
  say('p3_plan_done', 'anxiety.p3.plan_done', {
    vars: (c) => ({ time: answerText(c.answers, 'p3_time'), minutes: answerNumber(c.answers, 'p3_minutes') }),
  }),
  say('p3_expect', 'anxiety.p3.expect'),
  say('p3_summary', 'anxiety.p3.summary'),
  endOfPart('p3_end', 3, 'anxiety.p3.end'),
];

const part4: Step[] = [
  openPart('p4_open', 4, 'anxiety.p4.open'),
  ...checkIn(4, 'p4_days'),
  askNumber('p4_days', 'anxiety.p4.ask_days', 0, 7),
  branch('p4_days_route', [{ when: (c) => answerNumber(c.answers, 'p4_days') === 0, next: 'p4_days_none' }], {
    next: 'p4_importance',
  }),
  say('p4_days_none', 'anxiety.p4.days_none', { next: 'p4_belief' }),
  askChoice(
    'p4_importance',
    'anxiety.p4.ask_importance',
    WORRY_IMPORTANCE.map((value) => ({
      value,
      key: `anxiety.p4.importance.${value}`,
      // Worries that felt as important, or more, get the same encouragement to keep practising.
      next: value === 'less' ? 'p4_importance_less' : 'p4_importance_same',
    })),
  ),
  say('p4_importance_less', 'anxiety.p4.importance_less', { next: 'p4_belief' }),
  say('p4_importance_same', 'anxiety.p4.importance_same'),
  askNumber('p4_belief', 'anxiety.p4.ask_belief', 0, 100, {
    vars: (c) => ({ before: answerNumber(c.answers, 'p3_belief') }),
  }),
  recordHomework('p4_review_record', 'anxiety.worry_time_review', (c) => {
    const days = answerNumber(c.answers, 'p4_days');
    return {
      days_used: days,
      importance: days === 0 ? null : answerOf(c.answers, 'p4_importance'),
      belief_uncontrollable: answerNumber(c.answers, 'p4_belief'),
    };
  }),
  branch(
    'p4_belief_route',
    [
      {
        when: (c) => answerNumber(c.answers, 'p4_belief') < answerNumber(c.answers, 'p3_belief'),
        next: 'p4_belief_down',
      },
    ],
    { next: 'p4_belief_same' },
  ),
  say('p4_belief_down', 'anxiety.p4.belief_down', {
    next: 'p4_ps_intro',
    vars: (c) => ({
      before: answerNumber(c.answers, 'p3_belief'),
      after: answerNumber(c.answers, 'p4_belief'),
    }),
  }),
  say('p4_belief_same', 'anxiety.p4.belief_same'),
  say('p4_ps_intro', 'anxiety.p4.ps_intro'),
  say('p4_ps_steps', 'anxiety.p4.ps_steps', { image: 'anxiety/steps' }),
  askText('p4_ps_problem', 'anxiety.p4.ask_problem', { maxLength: 300 }),
  askText('p4_ps_options', 'anxiety.p4.ask_options', { maxLength: 500 }),
  say('p4_ps_weigh', 'anxiety.p4.weigh'),
  askText('p4_ps_chosen', 'anxiety.p4.ask_chosen', { maxLength: 300 }),
  askText('p4_ps_step', 'anxiety.p4.ask_step', { maxLength: 300 }),
  askChoice('p4_ps_when', 'anxiety.p4.ask_when', choices('anxiety.when', STEP_WHEN)),
  recordHomework('p4_ps_record', 'anxiety.problem_solving', (c) => {
    const written = answerText(c.answers, 'p4_ps_options');
    const options = written
      .split(/[,;\n]+/)
      .map((o) => o.trim())
      .filter((o) => o.length > 0)
      .slice(0, 20);
    return {
      problem: answerText(c.answers, 'p4_ps_problem'),
      options: options.length > 0 ? options : [written],
      chosen: answerText(c.answers, 'p4_ps_chosen'),
      first_step: answerText(c.answers, 'p4_ps_step'),
      when: answerOf(c.answers, 'p4_ps_when'),
    };
  }),
  say('p4_ps_follow_up', 'anxiety.p4.follow_up'),
  say('p4_uncertainty', 'anxiety.p4.uncertainty'),
  say('p4_summary', 'anxiety.p4.summary'),
  endOfPart('p4_end', 4, 'anxiety.p4.end'),
];

const part5: Step[] = [
  openPart('p5_open', 5, 'anxiety.p5.open'),
  ...measurePoint('p5', { lead: ['anxiety.measures.lead'], thanks: 'anxiety.measures.thanks' }),
  askChoice(
    'p5_step_review',
    'anxiety.p5.ask_step_review',
    [
      { value: 'done', key: 'anxiety.p5.step_review.done', next: 'p5_step_done' },
      { value: 'partly', key: 'anxiety.p5.step_review.partly', next: 'p5_step_partly' },
      { value: 'not_yet', key: 'anxiety.p5.step_review.not_yet', next: 'p5_step_not_yet' },
    ],
    { record: 'anxiety.problem_step_reviewed' },
  ),
  say('p5_step_done', 'anxiety.p5.step_done', { next: 'p5_intro' }),
  say('p5_step_partly', 'anxiety.p5.step_partly', { next: 'p5_intro' }),
  say('p5_step_not_yet', 'anxiety.p5.step_not_yet'),
  say('p5_intro', 'anxiety.p5.intro', { image: 'anxiety/approach' }),
  say('p5_trap', 'anxiety.p5.trap'),
  say('p5_safety', 'anxiety.p5.safety'),
  askChoice(
    'p5_kind',
    'anxiety.p5.ask_kind',
    SAFETY_BEHAVIOURS.map((value) => ({
      value,
      key: `anxiety.p5.kind.${value}`,
      next: `p5_drop_${value}`,
    })),
  ),
  ...SAFETY_BEHAVIOURS.map((value, i) =>
    say(`p5_drop_${value}`, `anxiety.p5.drop_${value}`, {
      ...(i < SAFETY_BEHAVIOURS.length - 1 ? { next: 'p5_exp_intro' } : {}),
    }),
  ),
  say('p5_exp_intro', 'anxiety.p5.exp_intro'),
  askText('p5_exp_behaviour', 'anxiety.p5.ask_behaviour', { maxLength: 300 }),
  askText('p5_exp_fear', 'anxiety.p5.ask_fear', { maxLength: 300 }),
  askNumber('p5_exp_belief', 'anxiety.p5.ask_belief', 0, 100),
  askText('p5_exp_step', 'anxiety.p5.ask_step', { maxLength: 300 }),
  askChoice('p5_exp_when', 'anxiety.p5.ask_when', choices('anxiety.when', STEP_WHEN)),
  recordHomework('p5_exp_record', 'anxiety.behaviour_experiment', (c) => ({
    kind: answerOf(c.answers, 'p5_kind'),
    behaviour: answerText(c.answers, 'p5_exp_behaviour'),
    feared_outcome: answerText(c.answers, 'p5_exp_fear'),
    belief_before: answerNumber(c.answers, 'p5_exp_belief'),
    step: answerText(c.answers, 'p5_exp_step'),
    when: answerOf(c.answers, 'p5_exp_when'),
  })),
  say('p5_exp_during', 'anxiety.p5.exp_during'),
  say('p5_exp_after', 'anxiety.p5.exp_after'),
  say('p5_summary', 'anxiety.p5.summary'),
  endOfPart('p5_end', 5, 'anxiety.p5.end'),
];

const part6: Step[] = [
  openPart('p6_open', 6, 'anxiety.p6.open'),
  ...checkIn(6, 'p6_exp_done'),
  askChoice('p6_exp_done', 'anxiety.p6.ask_exp_done', [
    ...choices(
      'anxiety.p6.exp_done',
      EXPERIMENT_DONE.filter((v) => v !== 'no'),
    ),
    { value: 'no', key: 'anxiety.p6.exp_done.no', next: 'p6_exp_record' },
  ]),
  askChoice('p6_exp_happened', 'anxiety.p6.ask_happened', choices('anxiety.p6.happened', FEAR_HAPPENED)),
  askNumber('p6_exp_belief', 'anxiety.p6.ask_belief', 0, 100, {
    vars: (c) => ({ before: answerNumber(c.answers, 'p5_exp_belief') }),
  }),
  recordHomework('p6_exp_record', 'anxiety.experiment_result', (c) => {
    const done = answerOf(c.answers, 'p6_exp_done');
    return {
      done,
      feared_happened: done === 'no' ? null : answerOf(c.answers, 'p6_exp_happened'),
      belief_before: answerNumber(c.answers, 'p5_exp_belief'),
      belief_after: done === 'no' ? null : answerNumber(c.answers, 'p6_exp_belief'),
    };
  }),
  branch(
    'p6_exp_route',
    [
      { when: (c) => answerOf(c.answers, 'p6_exp_done') === 'no', next: 'p6_exp_not_done' },
      { when: (c) => answerOf(c.answers, 'p6_exp_happened') === 'yes', next: 'p6_exp_happened_yes' },
      {
        when: (c) => answerNumber(c.answers, 'p6_exp_belief') < answerNumber(c.answers, 'p5_exp_belief'),
        next: 'p6_exp_belief_down',
      },
    ],
    { next: 'p6_exp_belief_same' },
  ),
  say('p6_exp_not_done', 'anxiety.p6.exp_not_done', { next: 'p6_review' }),
  say('p6_exp_happened_yes', 'anxiety.p6.exp_happened_yes', { next: 'p6_review' }),
  say('p6_exp_belief_down', 'anxiety.p6.exp_belief_down', {
    next: 'p6_review',
    vars: (c) => ({
      before: answerNumber(c.answers, 'p5_exp_belief'),
      after: answerNumber(c.answers, 'p6_exp_belief'),
    }),
  }),
  say('p6_exp_belief_same', 'anxiety.p6.exp_belief_same'),
  say('p6_review', 'anxiety.p6.review'),
  askChoice('p6_helped', 'anxiety.p6.ask_helped', choices('anxiety.p6.helped', COURSE_TOOLS)),
  say('p6_relapse', 'anxiety.p6.relapse', { image: 'anxiety/plan' }),
  askText('p6_signs', 'anxiety.p6.ask_signs', { maxLength: 300 }),
  askText('p6_risky', 'anxiety.p6.ask_risky', { maxLength: 300 }),
  askText('p6_actions', 'anxiety.p6.ask_actions', { maxLength: 500 }),
  askText('p6_keep', 'anxiety.p6.ask_keep', { maxLength: 300 }),
  askText('p6_support', 'anxiety.p6.ask_support', { maxLength: 300 }),
  recordHomework('p6_plan_record', 'anxiety.relapse_plan', (c) => ({
    helped_most: answerOf(c.answers, 'p6_helped'),
    warning_signs: answerText(c.answers, 'p6_signs'),
    risky_situations: answerText(c.answers, 'p6_risky'),
    actions: answerText(c.answers, 'p6_actions'),
    keep_doing: answerText(c.answers, 'p6_keep'),
    support: answerText(c.answers, 'p6_support'),
  })),
  say('p6_plan_done', 'anxiety.p6.plan_done'),
  say('p6_summary', 'anxiety.p6.summary'),
  endOfPart('p6_end', 6, 'anxiety.p6.end'),
  ...measurePoint('final', { lead: ['anxiety.measures.final'] }),
  end('done', 'anxiety.done'),
];

export const anxietyCourse = buildFlow({
  id: 'anxiety',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: [...part1, ...part2, ...part3, ...part4, ...part5, ...part6],
});
