from jiuzhu.cases import intake


def test_dibao_application_goes_from_window_to_decision(apply, street_officer_a, walk):
    application = apply()
    assert application.status == "submitted", application.materials_missing
    application = intake.application_accept(actor=street_officer_a, application=application)
    case = application.cases.get()
    assert case.step == "investigation"
    case = walk(case)
    assert case.status == "approved", case.actions.all()
    assert case.amount is not None
